"""What the day schedule and the day board store: optimizer runs (jobs) and the board's state changes.

Kept apart from :mod:`msinfusion.db.models`; the classes share its ``Base`` (metadata and naming
convention). ``msinfusion.db`` imports this module, so the tables are on ``Base.metadata``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from msinfusion.board import BOARD_STATES
from msinfusion.db.models import Base

JOB_STATUSES = ("queued", "running", "done", "failed")
ACTIVE_JOB_STATUSES = ("queued", "running")
_ACTIVE = text("status IN ('queued', 'running')")


class ScheduleJob(Base):
    """One optimizer run for one center day: its input, its progress and its result.

    At most one run per center and day is queued or running (a partial unique index), so two
    schedulers pressing "run" together get one run. A run past ``deadline_at`` that is still
    queued or running died with its process; readers show it as failed.
    """

    __tablename__ = "schedule_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_schedule_jobs_center_day", "center_id", "day"),
        Index(
            "ux_schedule_jobs_one_active",
            "center_id",
            "day",
            unique=True,
            postgresql_where=_ACTIVE,
            sqlite_where=_ACTIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime]
    time_limit_seconds: Mapped[float] = mapped_column(Float)
    # The input as solved (msinfusion.day/1) and each appointment's row version at that moment.
    day_input: Mapped[dict[str, Any]] = mapped_column(default=dict)
    appointment_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Progress reported by the solver while it runs.
    possible_priority: Mapped[int] = mapped_column(Integer, default=0)
    best_priority: Mapped[int | None] = mapped_column(Integer)
    bound_priority: Mapped[int | None] = mapped_column(Integer)
    elapsed_seconds: Mapped[float | None] = mapped_column(Float)
    # The schedule (msinfusion.schedule/1) once done, with the scheduler's moves applied.
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    moves: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The queue job (procrastinate's id) that claimed the run when it started, None in process: only
    # that job, retried after its worker died, may start the run again (runs.claim_run).
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)
    # Optimistic lock for moves and accepts (issue 11): a change made from an older version is refused.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class BoardEvent(Base):
    """One step of an appointment on the day board (checked in, infusing, …): when and by whom."""

    __tablename__ = "board_events"
    __table_args__ = (CheckConstraint("state IN ({})".format(", ".join(repr(s) for s in BOARD_STATES)), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
