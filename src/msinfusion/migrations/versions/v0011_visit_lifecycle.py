"""The visit lifecycle: prescription changes (stop, edit), visit changes (book, move, cancel, exception) and
each center's booking settings (closures, headroom).

Revision ID: v0011_visit_lifecycle
Revises: v0010_integrity
Create Date: 2026-12-01 01:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0011_visit_lifecycle"
down_revision: str | None = "v0010_integrity"
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
    op.create_table(
        "center_booking_settings",
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("closures", sa.JSON(), nullable=False),
        sa.Column("headroom", sa.Float(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("headroom >= 0 AND headroom < 1", name=op.f("ck_center_booking_settings_headroom")),
        sa.ForeignKeyConstraint(
            ["center_id"], ["centers.id"], name=op.f("fk_center_booking_settings_center_id_centers")
        ),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=op.f("fk_center_booking_settings_updated_by_users")),
        sa.PrimaryKeyConstraint("center_id", name=op.f("pk_center_booking_settings")),
    )


def downgrade() -> None:
    op.drop_table("center_booking_settings")
    op.drop_index("ix_visit_changes_appointment", table_name="visit_changes")
    op.drop_table("visit_changes")
    op.drop_index("ix_prescription_changes_prescription", table_name="prescription_changes")
    op.drop_table("prescription_changes")
