"""Jobs of a dead worker: retried once by a live worker, then failed with a reason on the run.

Every worker beats a heartbeat into ``procrastinate_workers``; one killed with ``kill -9`` stops. A job
still ``doing`` under a worker silent for ``worker_stalled_after_seconds`` is stalled: each live worker
looks for such jobs every ``worker_heartbeat_seconds`` (:func:`watch`, beside its job loop, so a worker
busy solving still looks). A stalled job is put back in the queue ``job_stalled_retries`` times; after
that it is finished as failed, and a stalled optimizer run is stored as failed with
:data:`msinfusion.db.day_schedule.runs.WORKER_LOST_ERROR`, which frees its day for a new run (a stalled
booking run likewise, with :data:`msinfusion.db.booking_runs.WORKER_LOST_ERROR`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import procrastinate
from procrastinate.jobs import Status

from msinfusion.db import booking_runs
from msinfusion.db.database import Database
from msinfusion.db.day_schedule.runs import fail_lost_run
from msinfusion.jobs import queue
from msinfusion.jobs.tasks import Clock
from msinfusion.settings import Settings

log = logging.getLogger("msinfusion.jobs")


@dataclass
class StalledReport:
    """The queue job ids one look retried and failed."""

    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


async def retry_or_fail(app: procrastinate.App, database: Database, settings: Settings, clock: Clock) -> StalledReport:
    """Retry or fail every job of a worker silent for ``worker_stalled_after_seconds``."""
    report = StalledReport()
    manager = app.job_manager
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=settings.worker_stalled_after_seconds)
    for job in stalled:
        if job.id is None:
            continue
        try:
            if job.attempts < settings.job_stalled_retries:
                await manager.retry_job(job)
                report.retried.append(job.id)
                log.warning("job %s (%s): its worker stopped; retrying it", job.id, job.task_name)
                continue
            run_id = job.task_kwargs.get("job_id")
            if job.task_name == queue.SOLVE_RUN and isinstance(run_id, int):
                await asyncio.to_thread(fail_lost_run, database, run_id, clock())
            booking_run_id = job.task_kwargs.get("run_id")
            if job.task_name == queue.PLAN_BOOKING and isinstance(booking_run_id, int):
                await asyncio.to_thread(booking_runs.fail_lost_run, database, booking_run_id, clock())
            await manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
            report.failed.append(job.id)
            log.error("job %s (%s): its worker stopped again; marked failed", job.id, job.task_name)
        except Exception:  # another worker handled it first (it is no longer doing): nothing to do
            log.debug("stalled job %s was handled elsewhere", job.id, exc_info=True)
    return report


async def watch(app: procrastinate.App, database: Database, settings: Settings, clock: Clock) -> None:
    """Look for stalled jobs every ``worker_heartbeat_seconds`` until cancelled."""
    while True:
        await asyncio.sleep(settings.worker_heartbeat_seconds)
        try:
            await retry_or_fail(app, database, settings, clock)
        except Exception:  # the database may be away for a moment: look again next time
            log.exception("looking for stalled jobs failed")
