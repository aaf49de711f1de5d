"""The jobs inside ``msinfusion serve`` (the embedded SQLite default): threads for optimizer and booking runs
and one loop for the periodic work, calling the same functions as the queue's worker (:mod:`.tasks`).

A cancelled run's solver is stopped (``should_abort``), so the thread is free within about a second.
A restart of the web process loses the runs it was solving; they stay shown as running until their
deadline and are then shown, and stored, as failed (:func:`msinfusion.db.day_schedule.run_status.is_stale`).
The runs it had queued but not started are solved by the next ``serve`` as it starts
(:meth:`InProcessRunner.resume_waiting`) rather than holding their day until their deadline.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, timedelta

from msinfusion.db.database import Database
from msinfusion.db.day_schedule.runs import waiting_runs
from msinfusion.jobs import tasks
from msinfusion.settings import Settings

log = logging.getLogger("msinfusion.jobs")


class InProcessRunner:
    """Solves runs in this process's worker threads (``parallel_runs`` at a time)."""

    def __init__(self, database: Database, settings: Settings, clock: tasks.Clock, *, parallel_runs: int = 1):
        self.database = database
        self.settings = settings
        self.clock = clock
        self._executor = ThreadPoolExecutor(max_workers=parallel_runs, thread_name_prefix="schedule-run")
        self._futures: dict[int, Future[None]] = {}
        self._cancelled: set[int] = set()
        self._lock = threading.Lock()
        self._booking_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="booking-run")
        self._booking_futures: dict[int, Future[None]] = {}

    def submit(self, job_id: int, center_id: int, day: date) -> None:
        future = self._executor.submit(self._run, job_id)
        with self._lock:
            self._futures[job_id] = future

    def cancel(self, job_id: int, center_id: int, day: date) -> None:
        with self._lock:
            if job_id in self._futures:
                self._cancelled.add(job_id)

    def resume_waiting(self) -> list[int]:
        """Submit every run still queued (left by a previous process, at its start); returns their ids.

        A run another live process has queued too is harmless: whichever claims it first solves it, and
        the other finds it claimed and leaves it (:func:`msinfusion.db.day_schedule.runs.claim_run`).
        """
        waiting = waiting_runs(self.database, self.clock(), timedelta(0))
        for run in waiting:
            log.warning("schedule run %s was left queued by a previous process; solving it now", run.id)
            self.submit(run.id, run.center_id, run.day)
        return [run.id for run in waiting]

    def wait(self, job_id: int, timeout: float = 30.0) -> None:
        """Block until a submitted run ends (tests and the demo loader; requests never wait)."""
        with self._lock:
            future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout=timeout)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._booking_executor.shutdown(wait=True, cancel_futures=True)

    # Regimen booking runs (issue 10): one thread of their own, so a booking never waits behind an
    # optimizer run, and two bookings never plan against each other at once.
    def submit_booking(self, run_id: int, center_id: int) -> None:
        future = self._booking_executor.submit(tasks.plan_booking, self.database, self.settings, self.clock, run_id)
        with self._lock:
            self._booking_futures[run_id] = future

    def wait_booking(self, run_id: int, timeout: float = 30.0) -> None:
        """Block until a submitted booking run ends (tests; requests never wait)."""
        with self._lock:
            future = self._booking_futures.get(run_id)
        if future is not None:
            future.result(timeout=timeout)

    def _run(self, job_id: int) -> None:
        try:
            tasks.solve_run(
                self.database, self.settings, self.clock, job_id, should_abort=lambda: job_id in self._cancelled
            )
        finally:
            with self._lock:
                self._futures.pop(job_id, None)
                self._cancelled.discard(job_id)


async def run_periodically(database: Database, settings: Settings, clock: tasks.Clock) -> None:
    """The periodic work, every ``outbox_every_seconds``, off the event loop, until cancelled.

    The reminder and outbox pass runs when ``sends_in_process``, the upkeep when ``runs_jobs_in_process``.
    A failing round is logged and the loop goes on.
    """
    while True:
        if settings.sends_in_process:
            try:
                await asyncio.to_thread(tasks.send_outbox, database, settings, clock)
            except Exception:  # a broken pass must not stop the next one (or the app)
                log.exception("outbox pass failed")
        if settings.runs_jobs_in_process:
            try:
                await asyncio.to_thread(tasks.upkeep, database, settings, clock)
            except Exception:
                log.exception("upkeep failed")
        await asyncio.sleep(settings.outbox_every_seconds)
