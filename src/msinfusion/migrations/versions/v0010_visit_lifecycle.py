"""The visit lifecycle: prescription changes (stop, edit) and visit changes (book, move, cancel, exception).

Revision ID: v0010_visit_lifecycle
Revises: v0005_outbox
Create Date: 2026-12-01 01:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0010_visit_lifecycle"
down_revision: str | None = "v0005_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "prescription_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prescription_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('stop', 'edit')", name=op.f("ck_prescription_changes_kind")),
        sa.ForeignKeyConstraint(
            ["prescription_id"],
            ["prescriptions.id"],
            name=op.f("fk_prescription_changes_prescription_id_prescriptions"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_prescription_changes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescription_changes")),
    )
    op.create_index("ix_prescription_changes_prescription", "prescription_changes", ["prescription_id"])
    op.create_table(
        "visit_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('book', 'move', 'cancel', 'exception')", name=op.f("ck_visit_changes_kind")),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_visit_changes_appointment_id_appointments")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_visit_changes_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_changes")),
    )
    op.create_index("ix_visit_changes_appointment", "visit_changes", ["appointment_id"])


def downgrade() -> None:
    op.drop_index("ix_visit_changes_appointment", table_name="visit_changes")
    op.drop_table("visit_changes")
    op.drop_index("ix_prescription_changes_prescription", table_name="prescription_changes")
    op.drop_table("prescription_changes")
