"""Regimen booking runs (booking_runs): a booking is planned as a job, its page polls the row.

Revision ID: v0016_booking_runs
Revises: v0015_run_claims
Create Date: 2026-12-01 08:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0016_booking_runs"
down_revision: str | None = "v0015_run_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status IN ('queued', 'running')")


def upgrade() -> None:
    op.create_table(
        "booking_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("prescription_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("time_limit_seconds", sa.Float(), nullable=False),
        sa.Column("today", sa.Date(), nullable=False),
        sa.Column("request_input", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_booking_runs_status")),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_booking_runs_center_id_centers")),
        sa.ForeignKeyConstraint(
            ["prescription_id"], ["prescriptions.id"], name=op.f("fk_booking_runs_prescription_id_prescriptions")
        ),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"], name=op.f("fk_booking_runs_requested_by_users")),
        sa.ForeignKeyConstraint(["confirmed_by"], ["users.id"], name=op.f("fk_booking_runs_confirmed_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_runs")),
    )
    op.create_index("ix_booking_runs_prescription", "booking_runs", ["prescription_id"])
    # One queued or running booking run per prescription, whoever presses "book".
    op.create_index(
        "ux_booking_runs_one_active",
        "booking_runs",
        ["prescription_id"],
        unique=True,
        postgresql_where=_ACTIVE,
        sqlite_where=_ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("ux_booking_runs_one_active", table_name="booking_runs")
    op.drop_index("ix_booking_runs_prescription", table_name="booking_runs")
    op.drop_table("booking_runs")
