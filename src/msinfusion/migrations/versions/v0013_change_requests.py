"""Patients' requests to change a booked visit, and the staff decision on each; the center editor's
booking horizon and a version on each center's booking settings.

Revision ID: v0013_change_requests
Revises: v0012_account_language
Create Date: 2026-12-01 04:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0013_change_requests"
down_revision: str | None = "v0012_account_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("unavailable", sa.JSON(), nullable=False),
        sa.Column("time_of_day", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("moved_to", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("state IN ('open', 'accepted', 'declined')", name=op.f("ck_change_requests_state")),
        sa.CheckConstraint(
            "time_of_day IS NULL OR time_of_day IN ('morning', 'afternoon')",
            name=op.f("ck_change_requests_time_of_day"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_change_requests_appointment_id_appointments")
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_change_requests_patient_id_patients")),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_change_requests_center_id_centers")),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_change_requests_decided_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    op.create_index("ix_change_requests_appointment", "change_requests", ["appointment_id"])
    op.create_index("ix_change_requests_center_state", "change_requests", ["center_id", "state"])
    with op.batch_alter_table("center_booking_settings") as batch:
        batch.add_column(sa.Column("horizon_days", sa.Integer(), nullable=False, server_default="365"))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("center_booking_settings") as batch:
        batch.drop_column("version")
        batch.drop_column("horizon_days")
    op.drop_index("ix_change_requests_center_state", table_name="change_requests")
    op.drop_index("ix_change_requests_appointment", table_name="change_requests")
    op.drop_table("change_requests")
