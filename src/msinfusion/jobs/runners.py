"""How the web app hands a run to whatever solves it: :class:`JobRunner`, and the queue's implementation.

:func:`make_runner` picks :class:`~msinfusion.jobs.in_process.InProcessRunner` when the settings run jobs
in process (the SQLite default), else :class:`QueueRunner`, which defers jobs to the procrastinate queue
for ``msinfusion worker`` processes.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date
from typing import Protocol

import procrastinate

from msinfusion.db.booking_models import ACTIVE_BOOKING_RUN_STATUSES, BookingRun
from msinfusion.db.database import Database
from msinfusion.db.schedule_models import ACTIVE_JOB_STATUSES, ScheduleJob
from msinfusion.jobs import queue, tasks
from msinfusion.jobs.in_process import InProcessRunner
from msinfusion.settings import Settings

log = logging.getLogger("msinfusion.jobs")


class JobRunner(Protocol):
    """Solves committed runs somewhere other than the request."""

    def submit(self, job_id: int, center_id: int, day: date) -> None: ...

    def cancel(self, job_id: int, center_id: int, day: date) -> None: ...

    def wait(self, job_id: int, timeout: float = 30.0) -> None: ...

    def shutdown(self) -> None: ...

    # Regimen booking runs (issue 10).
    def submit_booking(self, run_id: int, center_id: int) -> None: ...

    def wait_booking(self, run_id: int, timeout: float = 30.0) -> None: ...


class QueueRunner:
    """Defers runs to the procrastinate queue (opened on first use, so an app that never runs one never
    connects) and asks the queue to cancel them."""

    def __init__(self, database: Database, settings: Settings):
        self.database = database
        self.settings = settings
        self._app: procrastinate.App | None = None
        self._lock = threading.Lock()

    def _opened(self) -> procrastinate.App:
        with self._lock:
            if self._app is None:
                app = queue.defer_app(self.settings)
                app.open()
                self._app = app
            return self._app

    def submit(self, job_id: int, center_id: int, day: date) -> None:
        """Queue the run's job; if the queue cannot be reached, log it and return: the run is committed,
        and the workers' periodic check queues its job (:func:`msinfusion.jobs.queue.defer_orphans`)."""
        try:
            queue.defer_run(self._opened(), job_id, center_id, day)
        except Exception:  # the request has committed the run: it answers normally whatever happens here
            log.exception("schedule run %s: its job could not be queued now; the orphan check will", job_id)

    def cancel(self, job_id: int, center_id: int, day: date) -> None:
        """Cancel the run's job; if the queue cannot be reached, log it and return: the run is stored as
        cancelled, and a worker solving it stops when it finds the run no longer its own."""
        try:
            queue.cancel_run(self._opened(), job_id, center_id, day)
        except Exception:
            log.exception("schedule run %s: its job could not be cancelled now; its worker will stop", job_id)

    def wait(self, job_id: int, timeout: float = 30.0) -> None:
        """Poll until the run is no longer queued or running (tests; a worker must be running)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.database.read_session() as db:
                job = db.get(ScheduleJob, job_id)
                if job is None or job.status not in ACTIVE_JOB_STATUSES:
                    return
            time.sleep(0.2)
        raise TimeoutError(f"run {job_id} still active after {timeout} s")

    def submit_booking(self, run_id: int, center_id: int) -> None:
        queue.defer_booking(self._opened(), run_id, center_id)

    def wait_booking(self, run_id: int, timeout: float = 30.0) -> None:
        """Poll until the booking run is no longer queued or running (tests; a worker must be running)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.database.read_session() as db:
                run = db.get(BookingRun, run_id)
                if run is None or run.status not in ACTIVE_BOOKING_RUN_STATUSES:
                    return
            time.sleep(0.2)
        raise TimeoutError(f"booking run {run_id} still active after {timeout} s")

    def shutdown(self) -> None:
        with self._lock:
            if self._app is not None:
                self._app.close()
                self._app = None


def make_runner(database: Database, settings: Settings, clock: tasks.Clock) -> JobRunner:
    """The runner the settings ask for."""
    if settings.runs_jobs_in_process:
        return InProcessRunner(database, settings, clock)
    return QueueRunner(database, settings)
