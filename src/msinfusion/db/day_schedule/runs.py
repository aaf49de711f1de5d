"""Optimizer runs in the background: queue a run for a center day, solve it in a worker thread, report.

A request only writes a ``queued`` row and hands its id to the job runner (:mod:`msinfusion.jobs`: a
job on the PostgreSQL queue, or a thread of the web process on the embedded default); :func:`run_job`
marks it ``running``, calls :func:`msinfusion.scheduling.solve` with a progress callback that
writes the best schedule found and the proven bound to the row, and stores the schedule (``done``) or a
generic error (``failed``). Pages and the API read the row, so nothing ever waits for the solver.

Two schedulers pressing "run" together get one run: the database allows one queued or running row per
center and day. A row still queued or running after its deadline belongs to a process that died (a
restart, a crash); it is shown, and then stored, as failed, which frees the day for a new run.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, computed_field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db.database import Database
from msinfusion.db.day_schedule.day import BuiltDay
from msinfusion.db.schedule_models import ACTIVE_JOB_STATUSES, ScheduleJob
from msinfusion.scheduling import Schedule, SearchMode, parse_day, solve

if TYPE_CHECKING:  # the model module loads OR-Tools; only the worker's solve needs it
    from msinfusion.scheduling.model import Progress

log = logging.getLogger("msinfusion.web.schedule")

QUEUE_GRACE = timedelta(minutes=10)
"""How long a run may wait for a free worker before it counts as lost."""
RUN_GRACE = timedelta(seconds=60)
"""How long past its time limit a running solve may take (model building, validation) before it is lost."""
PROGRESS_EVERY_SECONDS = 0.5
"""Progress is written at most this often, so a fast stream of solutions does not hammer the database."""
STALE_ERROR = "The run stopped without finishing (the server may have restarted). Please run it again."
FAILED_ERROR = "The optimizer stopped with an error. Please run it again; if it happens again, tell support."
WORKER_LOST_ERROR = (
    "The job worker solving this run stopped without finishing it (it was killed or restarted), "
    "and so did its retry. Please run it again; if it happens again, tell support."
)
CANCELLED_ERROR = "A scheduler cancelled this run before it finished."

Status = Literal["queued", "running", "done", "failed"]


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


def latest_job(db: Session, center_id: int, day: date, status: Status | None = None) -> ScheduleJob | None:
    """The center day's newest run (with that status, if given)."""
    query = select(ScheduleJob).where(ScheduleJob.center_id == center_id, ScheduleJob.day == day)
    if status is not None:
        query = query.where(ScheduleJob.status == status)
    return db.scalar(query.order_by(ScheduleJob.id.desc()).limit(1))


def expire_stale(db: Session, center_id: int, day: date, now: datetime) -> None:
    """Store lost runs of the day as failed, so they no longer hold the day."""
    db.execute(
        update(ScheduleJob)
        .where(
            ScheduleJob.center_id == center_id,
            ScheduleJob.day == day,
            ScheduleJob.status.in_(ACTIVE_JOB_STATUSES),
            ScheduleJob.deadline_at < now,
        )
        .values(status="failed", error=STALE_ERROR, finished_at=now)
    )


def queue_run(
    db: Session, built: BuiltDay, center_id: int, user_id: int, now: datetime, time_limit: float
) -> tuple[ScheduleJob, bool]:
    """Queue a run for the day, or return the run already queued or running (``created`` False).

    The caller commits and then hands a created run to the job runner (``runner.submit``).
    """
    day = built.day.center.date
    expire_stale(db, center_id, day, now)
    job = ScheduleJob(
        center_id=center_id,
        day=day,
        status="queued",
        requested_by=user_id,
        created_at=now,
        deadline_at=now + QUEUE_GRACE,
        time_limit_seconds=time_limit,
        day_input=built.day.model_dump(mode="json", exclude_unset=True),
        appointment_versions=dict(built.versions),
        possible_priority=sum(a.priority for a in built.day.appointments),
        moves=0,
    )
    try:
        with db.begin_nested():
            db.add(job)
    except IntegrityError:
        # Someone else's run holds the day (the partial unique index): show theirs.
        running = db.scalar(
            select(ScheduleJob).where(
                ScheduleJob.center_id == center_id,
                ScheduleJob.day == day,
                ScheduleJob.status.in_(ACTIVE_JOB_STATUSES),
            )
        )
        if running is None:  # it finished in between; queue ours after all
            return queue_run(db, built, center_id, user_id, now, time_limit)
        return running, False
    return job, True


def _never() -> bool:
    return False


def run_job(
    database: Database,
    clock: Callable[[], datetime],
    job_id: int,
    *,
    workers: int,
    should_abort: Callable[[], bool] = _never,
    search: SearchMode = "deterministic",
) -> None:
    """Solve one queued run and store the outcome (called in a job worker or a web-process thread).

    A run found ``running`` was started by a worker that died (the job queue hands a stalled job to
    another worker only then): it starts again here, under a new ``started_at``. The start itself is a
    versioned write, so two workers never both start the same run.

    The solver runs in its own thread; its progress callback only hands the newest report to this loop,
    which writes it. Every write after the start names this start (``started_at``) and ``running``: a run
    that was meanwhile stored as lost (past its deadline), cancelled, or started again elsewhere is no
    longer ours, and a late result never flips it back to done. ``should_abort`` (the queue's cancel
    request) ends the wait early; the solver thread then finishes on its own and its result is dropped.
    """
    try:
        with database.session() as db:
            job = db.get(ScheduleJob, job_id)
            if job is None or job.status not in ACTIVE_JOB_STATUSES or is_stale(job, clock()):
                return
            if job.status == "running":
                log.warning("schedule run %s: its worker stopped; starting it again", job_id)
            log.info("schedule run %s started", job_id)
            started = clock()
            job.status, job.started_at = "running", started
            job.deadline_at = started + timedelta(seconds=job.time_limit_seconds) + RUN_GRACE
            day_input, time_limit = job.day_input, job.time_limit_seconds
    except StaleDataError:  # another worker started it at the same moment: theirs
        return
    mine = (ScheduleJob.id == job_id, ScheduleJob.status == "running", ScheduleJob.started_at == started)
    handoff = _ProgressHandoff()
    outcome: dict[str, object] = {}

    def solve_in_thread() -> None:
        try:
            outcome["schedule"] = solve(
                parse_day(day_input), time_limit=time_limit, workers=workers, on_progress=handoff.offer, search=search
            )
        except Exception as exc:  # reported by the loop below, in the worker thread
            outcome["error"] = exc

    solver = threading.Thread(target=solve_in_thread, name=f"solve-{job_id}", daemon=True)
    solver.start()
    while solver.is_alive():
        solver.join(PROGRESS_EVERY_SECONDS)
        if should_abort():
            log.info("schedule run %s: cancelled; the solver's result will be dropped", job_id)
            return
        progress = handoff.take()
        if progress is not None:
            with database.session() as db:
                db.execute(
                    update(ScheduleJob)
                    .where(*mine)
                    .values(
                        best_priority=progress.best_priority,
                        bound_priority=progress.bound,
                        elapsed_seconds=round(progress.elapsed, 1),
                    )
                )
    schedule = outcome.get("schedule")
    if schedule is None:
        error = outcome.get("error")
        log.error("schedule run %s failed", job_id, exc_info=error if isinstance(error, BaseException) else None)
        values: dict[str, object] = {"status": "failed", "error": FAILED_ERROR, "finished_at": clock()}
    else:
        assert isinstance(schedule, Schedule)
        values = {
            "status": "done",
            "result": json.loads(schedule.to_json()),
            "best_priority": schedule.objective.scheduled_priority,
            "bound_priority": schedule.bound.scheduled_priority if schedule.bound else None,
            "elapsed_seconds": schedule.solver.seconds,
            "finished_at": clock(),
        }
    with database.session() as db:
        stored = db.execute(update(ScheduleJob).where(*mine).values(**values))
        if not getattr(stored, "rowcount", 0):
            log.warning(
                "schedule run %s was no longer this worker's (lost or restarted); its result is dropped", job_id
            )


class _ProgressHandoff:
    """The newest progress report, handed from the solver's callback to the worker loop (no I/O in between)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: Progress | None = None

    def offer(self, progress: Progress) -> None:
        if progress.best_priority is None and progress.bound is None:
            return  # phase 2 reports preference deviation only; the page shows priority
        with self._lock:
            self._latest = progress

    def take(self) -> Progress | None:
        with self._lock:
            progress, self._latest = self._latest, None
        return progress


def active_run(db: Session, center_id: int, day: date, now: datetime) -> ScheduleJob | None:
    """The day's run still queued or running (lost runs are stored as failed first), if any."""
    expire_stale(db, center_id, day, now)
    return db.scalar(
        select(ScheduleJob).where(
            ScheduleJob.center_id == center_id,
            ScheduleJob.day == day,
            ScheduleJob.status.in_(ACTIVE_JOB_STATUSES),
        )
    )


def cancel_run(db: Session, job: ScheduleJob, now: datetime) -> bool:
    """Store a queued or running run as failed (cancelled), freeing the day; False if it already ended.

    A worker still solving it finds the run no longer its own and drops its result.
    """
    if job.status not in ACTIVE_JOB_STATUSES:
        return False
    job.status, job.error, job.finished_at = "failed", CANCELLED_ERROR, now
    return True


def fail_lost_run(database: Database, job_id: int, now: datetime) -> bool:
    """Store a run whose worker died twice as failed with a clear reason (the queue gives up on it)."""
    with database.session() as db:
        stored = db.execute(
            update(ScheduleJob)
            .where(ScheduleJob.id == job_id, ScheduleJob.status.in_(ACTIVE_JOB_STATUSES))
            .values(status="failed", error=WORKER_LOST_ERROR, finished_at=now)
        )
        return bool(getattr(stored, "rowcount", 0))


def expire_lost_runs(database: Database, now: datetime) -> int:
    """Store every run past its deadline as failed, in every center and day (periodic work)."""
    with database.session() as db:
        stored = db.execute(
            update(ScheduleJob)
            .where(ScheduleJob.status.in_(ACTIVE_JOB_STATUSES), ScheduleJob.deadline_at < now)
            .values(status="failed", error=STALE_ERROR, finished_at=now)
        )
        return int(getattr(stored, "rowcount", 0) or 0)
