"""The language an account chose for its pages (staff; patients keep theirs on the patient record).

Revision ID: v0012_account_language
Revises: v0011_visit_lifecycle
Create Date: 2026-12-01 03:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0012_account_language"
down_revision: str | None = "v0011_visit_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locale")
