"""How a run reads on a page or in the API (:class:`JobStatus`): a run lost with its process reads as
failed even before anyone stores that."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, computed_field

from msinfusion.db.day_schedule.runs import STALE_ERROR, Status
from msinfusion.db.schedule_models import ACTIVE_JOB_STATUSES, ScheduleJob

__all__ = ["JobStatus", "is_stale", "status_of"]


class JobStatus(BaseModel):
    """What a page or API client needs to show a run: where it is and how good its best schedule is."""

    id: int
    day: date
    status: Status
    stale: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    time_limit_seconds: float
    elapsed_seconds: float | None
    appointments: int
    possible_priority: int
    best_priority: int | None
    bound_priority: int | None
    scheduled: int | None
    unscheduled: int | None
    moves: int
    accepted_at: datetime | None
    error: str | None
    version: int = 1
    """The run's row version: a move or accept sends it back, and gets 409 if the run changed since."""

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @computed_field  # type: ignore[prop-decorator]
    @property
    def percent(self) -> int:
        """Share of the time limit used (the solver may finish early, never late)."""
        if self.status in ("done", "failed"):
            return 100
        if not self.elapsed_seconds or self.time_limit_seconds <= 0:
            return 0
        return min(99, round(100 * self.elapsed_seconds / self.time_limit_seconds))


def is_stale(job: ScheduleJob, now: datetime) -> bool:
    return job.status in ACTIVE_JOB_STATUSES and now > job.deadline_at


def status_of(job: ScheduleJob, now: datetime) -> JobStatus:
    """The run as shown: a lost run reads as failed even before anyone stores that."""
    stale = is_stale(job, now)
    result = job.result or {}
    done = job.status == "done"
    return JobStatus(
        id=job.id,
        day=job.day,
        status="failed" if stale else job.status,
        stale=stale,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        time_limit_seconds=job.time_limit_seconds,
        elapsed_seconds=(
            round((now - job.started_at).total_seconds(), 1)
            if job.status == "running" and job.started_at and not stale
            else job.elapsed_seconds
        ),
        appointments=len(job.day_input.get("appointments", [])),
        possible_priority=job.possible_priority,
        best_priority=job.best_priority,
        bound_priority=job.bound_priority,
        scheduled=len(result.get("assignments", [])) if done else None,
        unscheduled=len(result.get("unscheduled", [])) if done else None,
        moves=job.moves,
        accepted_at=job.accepted_at,
        error=STALE_ERROR if stale else job.error,
        version=job.version,
    )
