"""The procrastinate queue on PostgreSQL: task names, queues, locks, and the two apps that use them.

The worker's app (:func:`worker_app`) registers every task around the functions of
:mod:`msinfusion.jobs.tasks`; the web's app (:func:`defer_app`) only defers jobs and cancels them, by
task name, over a small synchronous connection pool.

- ``msinfusion.solve_run`` (queue ``optimizer``) solves one run. Its ``lock`` is the center day, so two
  runs of one day never solve at once, and its ``queueing_lock`` the run, so a run is queued once.
- ``msinfusion.plan_booking`` (queue ``optimizer``) plans one regimen booking run. Its ``lock`` is the
  center, so two bookings of one center never plan against each other at once, and its
  ``queueing_lock`` the run.
- ``msinfusion.sending_pass`` (queue ``default``) runs every minute; ``msinfusion.upkeep`` every ten.
  Each has a queueing lock and a lock, so passes never pile up or overlap, whatever the number of workers.
- ``msinfusion.orphan_runs`` (queue ``default``, every minute, locked the same way) queues the job of a
  run its web process committed but never handed over (:func:`defer_orphans`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import procrastinate
from procrastinate import JobContext, RetryStrategy
from sqlalchemy.engine import make_url

from msinfusion.db.database import Database
from msinfusion.db.day_schedule.runs import waiting_runs
from msinfusion.jobs import tasks
from msinfusion.settings import Settings

log = logging.getLogger("msinfusion.jobs")

SOLVE_RUN = "msinfusion.solve_run"
SENDING_PASS = "msinfusion.sending_pass"
UPKEEP = "msinfusion.upkeep"
ORPHAN_RUNS = "msinfusion.orphan_runs"
PLAN_BOOKING = "msinfusion.plan_booking"
OPTIMIZER_QUEUE = "optimizer"
DEFAULT_QUEUE = "default"
QUEUES = (OPTIMIZER_QUEUE, DEFAULT_QUEUE)


def conninfo(database_url: str) -> str:
    """The libpq connection string for a SQLAlchemy PostgreSQL URL (``postgresql+psycopg://…``)."""
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        raise ValueError("the job queue needs PostgreSQL; on SQLite, jobs run inside `msinfusion serve`")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def day_lock(center_id: int, day: dt.date) -> str:
    """The lock of a center day's runs: at most one of them solves at a time."""
    return f"schedule-day:{center_id}:{day.isoformat()}"


def run_lock(job_id: int) -> str:
    """The queueing lock of one run: it waits in the queue at most once."""
    return f"schedule-run:{job_id}"


def worker_app(database: Database, settings: Settings, clock: tasks.Clock) -> procrastinate.App:
    """The app a ``msinfusion worker`` runs: every task, on an asynchronous connection pool."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(settings.database_url)))

    # A failure to reach the database at the start is worth two more tries; the solve's own errors
    # are stored on the run, never raised, so they are not retried.
    @app.task(
        name=SOLVE_RUN,
        queue=OPTIMIZER_QUEUE,
        pass_context=True,
        retry=RetryStrategy(max_attempts=2, wait=2),
    )
    def solve_run(context: JobContext, job_id: int) -> None:
        tasks.solve_run(
            database, settings, clock, job_id, should_abort=context.should_abort, queue_job_id=context.job.id
        )

    @app.periodic(cron="* * * * *")
    @app.task(name=ORPHAN_RUNS, queue=DEFAULT_QUEUE, queueing_lock=ORPHAN_RUNS, lock=ORPHAN_RUNS)
    async def orphan_runs(timestamp: int) -> None:
        await defer_orphans(app, database, settings, clock)

    @app.periodic(cron="* * * * *")
    @app.task(name=SENDING_PASS, queue=DEFAULT_QUEUE, queueing_lock=SENDING_PASS, lock=SENDING_PASS)
    def sending_pass(timestamp: int) -> None:
        tasks.send_outbox(database, settings, clock)

    @app.periodic(cron="*/10 * * * *")
    @app.task(name=UPKEEP, queue=DEFAULT_QUEUE, queueing_lock=UPKEEP, lock=UPKEEP)
    def upkeep(timestamp: int) -> None:
        tasks.upkeep(database, settings, clock)

    _register_booking(app, database, settings, clock)
    return app


def booking_lock(center_id: int) -> str:
    """The lock of a center's booking runs: at most one of them plans at a time."""
    return f"booking-center:{center_id}"


def booking_run_lock(run_id: int) -> str:
    """The queueing lock of one booking run: it waits in the queue at most once."""
    return f"booking-run:{run_id}"


def _register_booking(app: procrastinate.App, database: Database, settings: Settings, clock: tasks.Clock) -> None:
    """The regimen booking task (issue 10), retried like a solve when the database is away at its start."""

    @app.task(
        name=PLAN_BOOKING,
        queue=OPTIMIZER_QUEUE,
        pass_context=True,
        retry=RetryStrategy(max_attempts=2, wait=2),
    )
    def plan_booking(context: JobContext, run_id: int) -> None:
        tasks.plan_booking(database, settings, clock, run_id, should_abort=context.should_abort)


def defer_booking(app: procrastinate.App, run_id: int, center_id: int) -> None:
    """Queue the planning of booking run ``run_id`` (already committed) on the optimizer queue."""
    try:
        app.configure_task(
            PLAN_BOOKING, queue=OPTIMIZER_QUEUE, lock=booking_lock(center_id), queueing_lock=booking_run_lock(run_id)
        ).defer(run_id=run_id)
    except procrastinate.exceptions.AlreadyEnqueued:
        log.info("booking run %s is already queued", run_id)


def defer_app(settings: Settings) -> procrastinate.App:
    """The app the web process defers and cancels jobs with (synchronous; open it before use)."""
    connector = procrastinate.SyncPsycopgConnector(conninfo=conninfo(settings.database_url), min_size=1, max_size=4)
    return procrastinate.App(connector=connector)


def _solve_job(app: procrastinate.App, job_id: int, center_id: int, day: dt.date) -> procrastinate.jobs.JobDeferrer:
    return app.configure_task(
        SOLVE_RUN, queue=OPTIMIZER_QUEUE, lock=day_lock(center_id, day), queueing_lock=run_lock(job_id)
    )


def defer_run(app: procrastinate.App, job_id: int, center_id: int, day: dt.date) -> None:
    """Queue the solve of run ``job_id`` (already committed) on the optimizer queue."""
    try:
        _solve_job(app, job_id, center_id, day).defer(job_id=job_id)
    except procrastinate.exceptions.AlreadyEnqueued:
        log.info("schedule run %s is already queued", job_id)


async def defer_orphans(
    app: procrastinate.App, database: Database, settings: Settings, clock: tasks.Clock
) -> list[int]:
    """Queue the job of every run still queued ``orphan_run_after_seconds`` after its request that has no
    job at all, in any status (its hand-over was lost: the web process died after its commit, or the
    queue was away); returns their ids.

    Only a run whose job never existed gets one, with the same locks as :func:`defer_run`; should the
    late hand-over arrive too, the queueing lock keeps one of the two, and a second job that runs
    anyway finds the run claimed and leaves it (:func:`msinfusion.db.day_schedule.runs.claim_run`).
    """
    after = dt.timedelta(seconds=settings.orphan_run_after_seconds)
    deferred: list[int] = []
    for run in await asyncio.to_thread(waiting_runs, database, clock(), after):
        jobs = await app.job_manager.list_jobs_async(task=SOLVE_RUN, lock=day_lock(run.center_id, run.day))
        if any(job.task_kwargs.get("job_id") == run.id for job in jobs):
            continue  # queued, solving, or failed by the queue: its job decides
        try:
            await _solve_job(app, run.id, run.center_id, run.day).defer_async(job_id=run.id)
        except procrastinate.exceptions.AlreadyEnqueued:
            continue  # its own hand-over arrived meanwhile
        deferred.append(run.id)
        log.warning("schedule run %s had no job (its hand-over was lost); queued it now", run.id)
    return deferred


def cancel_run(app: procrastinate.App, job_id: int, center_id: int, day: dt.date) -> int:
    """Cancel run ``job_id``'s queued job, or ask its worker to stop waiting for it; returns how many."""
    cancelled = 0
    for job in app.job_manager.list_jobs(task=SOLVE_RUN, lock=day_lock(center_id, day)):
        if job.id is not None and job.task_kwargs.get("job_id") == job_id and job.status in ("todo", "doing"):
            cancelled += app.job_manager.cancel_job_by_id(job.id, abort=True)
    return cancelled
