"""Which queue job claimed an optimizer run: only that job, retried after its worker died, may start
the run again, so a second job for the same run never restarts it (docs/deploy.md, "Job workers").

Revision ID: v0015_run_claims
Revises: v0014_jobs
Create Date: 2026-12-01 08:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0015_run_claims"
down_revision: str | None = "v0014_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("schedule_jobs") as batch:
        batch.add_column(sa.Column("queue_job_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedule_jobs") as batch:
        batch.drop_column("queue_job_id")
