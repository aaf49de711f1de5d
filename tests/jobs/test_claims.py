"""Who may solve a run, and stopping the solver of a cancelled run, on real PostgreSQL and real CP-SAT.

A run is claimed by one conditional write: of two claims at once one wins; a second job for a running run
leaves it alone, while the run's own queue job (retried after its worker died) takes it over. Cancelling a
long run stops CP-SAT: the in-process runner's cancel, the queue's abort, and a cancel the worker only
learns from the run itself all end the solver thread within seconds, not at the time limit.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from msinfusion.db import Database
from msinfusion.db.day_schedule.runs import CANCELLED_ERROR, cancel_run, claim_run, run_job
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.jobs import queue
from msinfusion.jobs.in_process import InProcessRunner
from msinfusion.scheduling import make_demo_day
from msinfusion.settings import Settings
from tests.web.test_staff_schedule import DAY
from tests.web.web_world import FakeClock, World

pytestmark = pytest.mark.postgres

LONG = 60.0
"""The time limit of a long run: a test that ends well within it stopped the solver."""
STOPPED_WITHIN = 15.0
"""A generous bound on cancel-to-solver-ended (measured about 0.5-1 s; the machine may be loaded)."""


def _long_run(database: Database, world: World, clock: FakeClock, time_limit: float = LONG) -> int:
    """A queued run of 30 visits that CP-SAT does not prove within a minute."""
    day = make_demo_day(10, 3, 30, seed=1, date=DAY)
    with database.session() as db:
        run = ScheduleJob(
            center_id=world.centers["a"], day=DAY, status="queued", requested_by=world.users["scheduler_a"],
            created_at=clock(), deadline_at=clock() + timedelta(hours=1), time_limit_seconds=time_limit,
            day_input=day.model_dump(mode="json", exclude_unset=True), appointment_versions={},
            possible_priority=sum(a.priority for a in day.appointments), moves=0,
        )  # fmt: skip
        db.add(run)
        db.flush()
        return run.id


def _run(database: Database, job_id: int) -> ScheduleJob:
    with database.read_session() as db:
        job = db.get(ScheduleJob, job_id)
        assert job is not None
        db.expunge(job)
        return job


def _solver_alive(job_id: int) -> bool:
    return any(thread.name == f"solve-{job_id}" for thread in threading.enumerate())


def _wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _searching(database: Database, job_id: int) -> None:
    """Wait until the run is running and CP-SAT is at work on it."""
    _wait_for(lambda: _run(database, job_id).status == "running" and _solver_alive(job_id))
    time.sleep(1.5)


def test_of_two_claims_at_once_one_wins(database: Database, world: World, clock: FakeClock) -> None:
    for _ in range(5):
        job_id = _long_run(database, world, clock)
        barrier = threading.Barrier(2)

        def claim(queue_job: int, job_id: int = job_id, barrier: threading.Barrier = barrier) -> object:
            barrier.wait()
            return claim_run(database, job_id, clock(), queue_job)

        with ThreadPoolExecutor(2) as pool:
            claims = list(pool.map(claim, (101, 102)))
        assert sum(claim is not None for claim in claims) == 1
        with database.session() as db:
            row = db.get(ScheduleJob, job_id)
            assert row is not None
            row.status = "failed"  # frees the day for the next round


def test_a_second_job_leaves_a_claimed_run_alone_and_its_own_retried_job_takes_it_over(
    database: Database, world: World, clock: FakeClock
) -> None:
    job_id = _long_run(database, world, clock, time_limit=1)
    assert claim_run(database, job_id, clock(), 7) is not None  # queue job 7 claims it, then its worker dies
    first = _run(database, job_id)
    assert first.status == "running" and first.queue_job_id == 7

    clock.advance(seconds=20)
    run_job(database, clock, job_id, workers=1, queue_job_id=8)  # a second job for the same run
    untouched = _run(database, job_id)
    assert untouched.started_at == first.started_at and untouched.queue_job_id == 7 and untouched.status == "running"
    assert claim_run(database, job_id, clock(), None) is None  # nor does the in-process runner restart it

    run_job(database, clock, job_id, workers=1, queue_job_id=7)  # job 7 again: the stalled-job check's retry
    solved = _run(database, job_id)
    assert solved.status == "done" and solved.started_at == clock() and solved.queue_job_id == 7


def test_a_cancelled_run_stops_its_solver_in_the_worker_loop(
    database: Database, world: World, clock: FakeClock
) -> None:
    job_id = _long_run(database, world, clock)
    cancelled = threading.Event()
    worker = threading.Thread(
        target=run_job, args=(database, clock, job_id), kwargs={"workers": 2, "should_abort": cancelled.is_set}
    )
    worker.start()
    _searching(database, job_id)
    with database.session() as db:
        row = db.get(ScheduleJob, job_id)
        assert row is not None and cancel_run(db, row, clock())
    cancelled.set()
    asked = time.monotonic()
    worker.join(STOPPED_WITHIN)
    assert not worker.is_alive() and not _solver_alive(job_id)
    print(f"\n[cancel] worker loop: solver thread ended {time.monotonic() - asked:.2f} s after the cancel")
    assert _run(database, job_id).error == CANCELLED_ERROR  # its result, if any, was dropped


def test_a_worker_that_was_not_told_stops_when_it_finds_its_run_cancelled(
    database: Database, world: World, clock: FakeClock
) -> None:
    job_id = _long_run(database, world, clock)
    worker = threading.Thread(target=run_job, args=(database, clock, job_id), kwargs={"workers": 2})
    worker.start()
    _searching(database, job_id)
    with database.session() as db:  # cancelled in the database only (the queue's cancel never arrived)
        row = db.get(ScheduleJob, job_id)
        assert row is not None and cancel_run(db, row, clock())
    worker.join(STOPPED_WITHIN + 10)  # its next check that the run is its own (every 5 s), then the stop
    assert not worker.is_alive() and not _solver_alive(job_id)
    assert _run(database, job_id).error == CANCELLED_ERROR


def test_the_in_process_runners_cancel_stops_the_solver(
    database: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    job_id = _long_run(database, world, clock)
    runner = InProcessRunner(database, settings.model_copy(update={"solver_workers": 2}), clock)
    try:
        runner.submit(job_id, world.centers["a"], DAY)
        _searching(database, job_id)
        asked = time.monotonic()
        runner.cancel(job_id, world.centers["a"], DAY)
        runner.wait(job_id, timeout=STOPPED_WITHIN)
        assert not _solver_alive(job_id)
        print(f"\n[cancel] in process: solver thread ended {time.monotonic() - asked:.2f} s after the cancel")
    finally:
        runner.shutdown()


def test_the_queues_abort_stops_the_solver_and_ends_the_job(
    database: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    job_id = _long_run(database, world, clock)
    web = queue.defer_app(settings)
    with web.open():
        queue.defer_run(web, job_id, world.centers["a"], DAY)

    async def scenario() -> float:
        app = queue.worker_app(database, settings.model_copy(update={"solver_workers": 2}), clock)
        async with app.open_async():
            worker = asyncio.create_task(
                app.run_worker_async(queues=[queue.OPTIMIZER_QUEUE], wait=False, install_signal_handlers=False)
            )
            await asyncio.to_thread(_searching, database, job_id)
            asked = time.monotonic()
            with web.open():  # the web process's cancel: the run first, then its job
                with database.session() as db:
                    row = db.get(ScheduleJob, job_id)
                    assert row is not None and cancel_run(db, row, clock())
                assert queue.cancel_run(web, job_id, world.centers["a"], DAY) == 1
            await asyncio.wait_for(worker, STOPPED_WITHIN)
            return time.monotonic() - asked

    took = asyncio.run(scenario())
    assert not _solver_alive(job_id)
    print(f"\n[cancel] queue abort: job and solver thread ended {took:.2f} s after the cancel")
    assert _run(database, job_id).error == CANCELLED_ERROR
