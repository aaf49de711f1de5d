"""Optimizer runs in the background: queue a run for a center day, solve it in a worker thread, report.

A request only writes a ``queued`` row and hands its id to the job runner (:mod:`msinfusion.jobs`: a
job on the PostgreSQL queue, or a thread of the web process on the embedded default); :func:`run_job`
marks it ``running``, calls :func:`msinfusion.scheduling.solve` with a progress callback that
writes the best schedule found and the proven bound to the row, and stores the schedule (``done``) or a
generic error (``failed``). Pages and the API read the row, so nothing ever waits for the solver.

Two schedulers pressing "run" together get one run: the database allows one queued or running row per
center and day. A row still queued or running after its deadline belongs to a process that died (a
restart, a crash); it is shown, and then stored, as failed, which frees the day for a new run.

A run is solved by whoever claims it (:func:`claim_run`), never twice at once. The hand-over can be
lost (the web process dies between its commit and handing the run over, or the queue is away for a
moment), so a run may be handed over more than once: the queue's periodic check hands over again
every run :func:`waiting_runs` finds with no job at all, and ``msinfusion serve`` hands its own queued
runs over again when it starts. So a job must tell "my own run, whose worker died" from "a run another
job holds". The claim records the queue job's id (``queue_job_id``) on the run; a ``running`` run may
be started again only by that same queue job, which is what the stalled-job check does when it puts
a dead worker's job back in the queue (same job, same id). A second job for the run finds it claimed
and leaves it alone; so does the in-process runner, which takes queued runs only.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from msinfusion.db.database import Database
from msinfusion.db.day_schedule.day import BuiltDay
from msinfusion.db.schedule_models import ACTIVE_JOB_STATUSES, ScheduleJob
from msinfusion.scheduling import Schedule, SearchMode, parse_day, solve
from msinfusion.scheduling.stopping import StopSignal

if TYPE_CHECKING:  # the model module loads OR-Tools; only the worker's solve needs it
    from msinfusion.scheduling.model import Progress

log = logging.getLogger("msinfusion.web.schedule")

QUEUE_GRACE = timedelta(minutes=10)
"""How long a run may wait for a free worker before it counts as lost."""
RUN_GRACE = timedelta(seconds=60)
"""How long past its time limit a running solve may take (model building, validation) before it is lost."""
PROGRESS_EVERY_SECONDS = 0.5
"""Progress is written at most this often, so a fast stream of solutions does not hammer the database."""
OWNED_EVERY_SECONDS = 5.0
"""Without progress to write, a worker checks this often that its run is still its own (else it stops)."""
STOP_WAIT_SECONDS = 30.0
"""How long a worker waits for a stopped solver's thread to end before it gives up on it."""
STALE_ERROR = "The run stopped without finishing (the server may have restarted). Please run it again."
FAILED_ERROR = "The optimizer stopped with an error. Please run it again; if it happens again, tell support."
WORKER_LOST_ERROR = (
    "The job worker solving this run stopped without finishing it (it was killed or restarted), "
    "and so did its retry. Please run it again; if it happens again, tell support."
)
CANCELLED_ERROR = "A scheduler cancelled this run before it finished."

Status = Literal["queued", "running", "done", "failed"]


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
    queue_job_id: int | None = None,
) -> None:
    """Solve one queued run and store the outcome (called in a job worker or a web-process thread).

    The start is a claim (:func:`claim_run`): one conditional write that takes a ``queued`` run, or
    takes back a ``running`` run this same queue job (``queue_job_id``) had claimed before its worker
    died (the stalled-job check retries the job under its own id). Any other caller finds the run not
    claimable and leaves it alone, so a run never solves twice at once.

    The solver runs in its own thread; its progress callback only hands the newest report to this loop,
    which writes it. Every write after the start names this start (``started_at``) and ``running``: a run
    that was meanwhile stored as lost (past its deadline), cancelled, or started again elsewhere is no
    longer ours, and a late result never flips it back to done. ``should_abort`` (a scheduler's cancel)
    or finding the run no longer ours stops the solver's search (:class:`StopSignal`) and ends the job
    once the solver thread has ended, so a cancelled run frees its CPU within about a second.
    """
    claimed = claim_run(database, job_id, clock(), queue_job_id)
    if claimed is None:
        return
    started, day_input, time_limit = claimed
    mine = (ScheduleJob.id == job_id, ScheduleJob.status == "running", ScheduleJob.started_at == started)
    handoff = _ProgressHandoff()
    outcome: dict[str, object] = {}
    stop = StopSignal()

    def solve_in_thread() -> None:
        try:
            outcome["schedule"] = solve(
                parse_day(day_input),
                time_limit=time_limit,
                workers=workers,
                on_progress=handoff.offer,
                search=search,
                stop=stop,
            )
        except Exception as exc:  # reported by the loop below, in the worker thread
            outcome["error"] = exc

    solver = threading.Thread(target=solve_in_thread, name=f"solve-{job_id}", daemon=True)
    solver.start()
    checked = time.monotonic()
    while solver.is_alive():
        solver.join(PROGRESS_EVERY_SECONDS)
        if should_abort():
            _stop_solver(solver, stop, job_id, "cancelled")
            return
        progress = handoff.take()
        if progress is None and time.monotonic() - checked < OWNED_EVERY_SECONDS:
            continue
        checked = time.monotonic()
        with database.session() as db:
            if progress is None:  # no news for a while: is the run still ours?
                owned = db.scalar(select(ScheduleJob.id).where(*mine)) is not None
            else:
                written = db.execute(
                    update(ScheduleJob)
                    .where(*mine)
                    .values(
                        best_priority=progress.best_priority,
                        bound_priority=progress.bound,
                        elapsed_seconds=round(progress.elapsed, 1),
                    )
                )
                owned = bool(getattr(written, "rowcount", 0))
        if not owned:
            _stop_solver(solver, stop, job_id, "no longer this worker's (cancelled, lost or started again)")
            return
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


def claim_run(
    database: Database, job_id: int, now: datetime, queue_job_id: int | None
) -> tuple[datetime, dict[str, Any], float] | None:
    """Mark run ``job_id`` ``running`` from ``now`` for this caller; its start, input and time limit, or
    None if it is not this caller's to start (ended, lost, or claimed by another queue job).

    One conditional ``UPDATE``: the database lets one of two simultaneous claims through. A ``queued``
    run is anyone's; a ``running`` one only the queue job's that claimed it (its retry after its worker
    died). The in-process runner has no queue job and takes queued runs only.
    """
    claimable = ScheduleJob.status == "queued"
    if queue_job_id is not None:
        claimable = or_(claimable, and_(ScheduleJob.status == "running", ScheduleJob.queue_job_id == queue_job_id))
    with database.session() as db:
        found = db.execute(
            select(ScheduleJob.status, ScheduleJob.time_limit_seconds, ScheduleJob.day_input).where(
                ScheduleJob.id == job_id
            )
        ).one_or_none()
        if found is None or found.status not in ACTIVE_JOB_STATUSES:
            return None
        deadline = now + timedelta(seconds=found.time_limit_seconds) + RUN_GRACE
        claimed = db.execute(
            update(ScheduleJob)
            .where(ScheduleJob.id == job_id, ScheduleJob.deadline_at >= now, claimable)
            .values(
                status="running",
                started_at=now,
                deadline_at=deadline,
                queue_job_id=queue_job_id,
                version=ScheduleJob.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(claimed, "rowcount", 0):
            log.info("schedule run %s: not this job's to start (another job holds it, or it is lost)", job_id)
            return None
    if found.status == "running":
        log.warning("schedule run %s: its worker stopped; its job starts it again", job_id)
    log.info("schedule run %s started", job_id)
    return now, found.day_input, found.time_limit_seconds


def _stop_solver(solver: threading.Thread, stop: StopSignal, job_id: int, why: str) -> None:
    """Stop the solve and wait for its thread (a stopped solve returns within about a second)."""
    log.info("schedule run %s: %s; stopping its solver, its result will be dropped", job_id, why)
    stop.stop()
    solver.join(STOP_WAIT_SECONDS)
    if solver.is_alive():
        log.warning("schedule run %s: its solver is still running %s s after the stop", job_id, STOP_WAIT_SECONDS)


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


@dataclass(frozen=True)
class WaitingRun:
    """A queued run: its id and center day (what the job queue needs to queue its job)."""

    id: int
    center_id: int
    day: date


def waiting_runs(database: Database, now: datetime, older_than: timedelta) -> list[WaitingRun]:
    """Runs still ``queued`` ``older_than`` after they were queued and not yet past their deadline, oldest
    first (a hand-over that may have been lost)."""
    with database.read_session() as db:
        rows = db.execute(
            select(ScheduleJob.id, ScheduleJob.center_id, ScheduleJob.day)
            .where(
                ScheduleJob.status == "queued",
                ScheduleJob.created_at <= now - older_than,
                ScheduleJob.deadline_at >= now,
            )
            .order_by(ScheduleJob.id)
        ).all()
    return [WaitingRun(row.id, row.center_id, row.day) for row in rows]
