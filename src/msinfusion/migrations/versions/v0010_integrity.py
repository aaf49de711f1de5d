"""Integrity under concurrency (issue 11): run versions, one live calendar link, idempotency records.

Revision ID: v0010_integrity
Revises: 0004
Create Date: 2026-12-01 01:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0010_integrity"
down_revision: str | None = "v0009_clinical_guards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE = sa.text("revoked_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("schedule_jobs") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    # Older rows may hold several live links per patient: keep the newest, revoke the rest.
    op.execute(
        "UPDATE calendar_feed_tokens SET revoked_at = created_at WHERE revoked_at IS NULL AND id NOT IN "
        "(SELECT MAX(id) FROM calendar_feed_tokens WHERE revoked_at IS NULL GROUP BY patient_id)"
    )
    op.create_index(
        "ux_calendar_feed_tokens_one_live",
        "calendar_feed_tokens",
        ["patient_id"],
        unique=True,
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )
    op.create_table(
        "idempotency_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_idempotency_records_user_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_records"),
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_records_user_id"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_records")
    op.drop_index("ux_calendar_feed_tokens_one_live", table_name="calendar_feed_tokens")
    with op.batch_alter_table("schedule_jobs") as batch:
        batch.drop_column("version")
