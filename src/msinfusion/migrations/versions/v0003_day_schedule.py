"""Day schedule: optimizer runs (schedule_jobs) and the day board's state changes (board_events).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 16:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = sa.text("status IN ('queued', 'running')")
_BOARD_STATES = "state IN ('expected', 'checked_in', 'premedication', 'infusing', 'observation', 'discharged')"


def upgrade() -> None:
    op.create_table(
        "schedule_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("center_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("time_limit_seconds", sa.Float(), nullable=False),
        sa.Column("day_input", sa.JSON(), nullable=False),
        sa.Column("appointment_versions", sa.JSON(), nullable=False),
        sa.Column("possible_priority", sa.Integer(), nullable=False),
        sa.Column("best_priority", sa.Integer(), nullable=True),
        sa.Column("bound_priority", sa.Integer(), nullable=True),
        sa.Column("elapsed_seconds", sa.Float(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_schedule_jobs_status")),
        sa.ForeignKeyConstraint(["center_id"], ["centers.id"], name=op.f("fk_schedule_jobs_center_id_centers")),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"], name=op.f("fk_schedule_jobs_requested_by_users")),
        sa.ForeignKeyConstraint(["accepted_by"], ["users.id"], name=op.f("fk_schedule_jobs_accepted_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_jobs")),
    )
    op.create_index("ix_schedule_jobs_center_day", "schedule_jobs", ["center_id", "day"])
    # One queued or running optimizer run per center and day, whoever presses "run".
    op.create_index(
        "ux_schedule_jobs_one_active",
        "schedule_jobs",
        ["center_id", "day"],
        unique=True,
        postgresql_where=_ACTIVE,
        sqlite_where=_ACTIVE,
    )
    op.create_table(
        "board_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(_BOARD_STATES, name=op.f("ck_board_events_state")),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_board_events_appointment_id_appointments")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_board_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_events")),
    )
    op.create_index("ix_board_events_appointment_id", "board_events", ["appointment_id"])


def downgrade() -> None:
    op.drop_index("ix_board_events_appointment_id", table_name="board_events")
    op.drop_table("board_events")
    op.drop_index("ux_schedule_jobs_one_active", table_name="schedule_jobs")
    op.drop_index("ix_schedule_jobs_center_day", table_name="schedule_jobs")
    op.drop_table("schedule_jobs")
