"""The jobs themselves, as plain functions: the queue's worker and the in-process runner call these.

Each takes the database, the settings and a clock, so the same function runs in a ``msinfusion
worker`` process, in a thread of ``msinfusion serve``, or in a test.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from msinfusion.db import booking_runs, idempotency
from msinfusion.db.database import Database
from msinfusion.db.day_schedule.runs import expire_lost_runs, run_job
from msinfusion.outbox.config import mail_config
from msinfusion.outbox.sending_pass import PassReport, sending_pass
from msinfusion.settings import Settings

log = logging.getLogger("msinfusion.jobs")

Clock = Callable[[], datetime]


def _never() -> bool:
    return False


def solve_run(
    database: Database,
    settings: Settings,
    clock: Clock,
    job_id: int,
    should_abort: Callable[[], bool] = _never,
    queue_job_id: int | None = None,
) -> None:
    """Solve one optimizer run (a ``schedule_jobs`` row) and store its outcome, if it is still ours
    (``queue_job_id``: the queue job solving it, which claims it; None in process)."""
    run_job(
        database,
        clock,
        job_id,
        workers=settings.solver_workers,
        should_abort=should_abort,
        search=settings.schedule_search,
        queue_job_id=queue_job_id,
    )


def plan_booking(
    database: Database, settings: Settings, clock: Clock, run_id: int, should_abort: Callable[[], bool] = _never
) -> None:
    """Plan one regimen booking run (a ``booking_runs`` row) and store its plan, if it is still ours."""
    booking_runs.plan_run(database, clock, run_id, should_abort=should_abort)


def send_outbox(database: Database, settings: Settings, clock: Clock) -> PassReport:
    """One reminder and outbox pass: queue the reminders now due, send what is due."""
    report = sending_pass(database, mail_config(settings), clock())
    delivery = report.delivery
    if report.queued or delivery.sent or delivery.failed or delivery.retrying:
        log.info(
            "outbox pass: queued %d, sent %d, retrying %d, failed %d",
            report.queued,
            len(delivery.sent),
            len(delivery.retrying),
            len(delivery.failed) + delivery.abandoned,
        )
    return report


@dataclass(frozen=True)
class Upkeep:
    """What one round of periodic upkeep removed or closed."""

    idempotency_records_purged: int
    lost_runs_failed: int
    lost_booking_runs_failed: int = 0


def upkeep(database: Database, settings: Settings, clock: Clock) -> Upkeep:
    """Periodic upkeep: drop expired ``Idempotency-Key`` records; store optimizer and booking runs past
    their deadline as failed."""
    now = clock()
    purged = idempotency.purge_expired(database, now, timedelta(hours=settings.idempotency_keep_hours))
    failed = expire_lost_runs(database, now)
    if purged or failed:
        log.info("upkeep: %d idempotency records purged, %d lost runs failed", purged, failed)
    # Booking runs (issue 10): lost ones are failed the same way.
    lost_bookings = booking_runs.expire_lost_runs(database, now)
    if lost_bookings:
        log.info("upkeep: %d lost booking runs failed", lost_bookings)
    return Upkeep(purged, failed, lost_bookings)
