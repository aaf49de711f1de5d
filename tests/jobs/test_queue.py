"""Jobs on the procrastinate queue, on real PostgreSQL: a run requested through the API is deferred with
its day lock and solved by a worker; a run is queued once; the job of a dead worker is retried (and the run
solved again from the start), then failed with a clear reason; a cancelled run frees its day."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from typing import Any

import procrastinate
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from msinfusion.db import Database
from msinfusion.db.day_schedule.runs import CANCELLED_ERROR, WORKER_LOST_ERROR
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.jobs import queue, stalled
from msinfusion.jobs.runners import QueueRunner
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.test_staff_schedule import DAY, add_nurses
from tests.web.web_world import FakeClock, TestClient, World, csrf_token, sign_in

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(settings: Settings, clock: FakeClock, world: World) -> Iterator[FastAPI]:
    made = create_app(settings, clock=clock)
    add_nurses(made, world)
    yield made
    made.state.schedule_runner.shutdown()  # what the lifespan does in a server
    made.state.database.dispose()


@pytest.fixture
def scheduler(app: FastAPI) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, "scheduler_a").status_code == 303
    client.headers["X-CSRF-Token"] = csrf_token(client, "/staff")
    return client


def _request_run(client: TestClient, day: date = DAY) -> dict[str, Any]:
    response = client.post("/api/schedule/runs", json={"day": day.isoformat()})
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def _queue_jobs(settings: Settings) -> list[procrastinate.jobs.Job]:
    app = queue.defer_app(settings)
    with app.open():
        return list(app.job_manager.list_jobs(task=queue.SOLVE_RUN))


def _run(database: Database, job_id: int) -> ScheduleJob:
    with database.read_session() as db:
        job = db.get(ScheduleJob, job_id)
        assert job is not None
        db.expunge(job)
        return job


async def _work_until_empty(database: Database, settings: Settings, clock: FakeClock) -> None:
    """A worker that takes every job waiting in the queue, then stops (as a test needs)."""
    app = queue.worker_app(database, settings, clock)
    async with app.open_async():
        await app.run_worker_async(queues=list(queue.QUEUES), wait=False, install_signal_handlers=False)


async def _take_and_die(app: procrastinate.App) -> procrastinate.jobs.Job:
    """A worker that takes the next solve job and then dies: its heartbeat stops, the job stays doing."""
    worker_id = await app.job_manager.register_worker()
    job = await app.job_manager.fetch_job(queues=[queue.OPTIMIZER_QUEUE], worker_id=worker_id)
    assert job is not None and job.status == "doing"
    await app.connector.execute_query_async(
        "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' WHERE id = %(id)s",
        id=worker_id,
    )
    return job


def test_a_run_requested_through_the_api_is_deferred_with_its_day_lock_and_solved_by_a_worker(
    app: FastAPI, scheduler: TestClient, database: Database, settings: Settings, clock: FakeClock, world: World
) -> None:
    assert isinstance(app.state.schedule_runner, QueueRunner)
    run = _request_run(scheduler)
    [job] = _queue_jobs(settings)
    assert job.status == "todo" and job.queue == queue.OPTIMIZER_QUEUE
    assert job.lock == queue.day_lock(world.centers["a"], DAY) == f"schedule-day:{world.centers['a']}:2027-03-08"
    assert job.queueing_lock == queue.run_lock(run["id"]) and job.task_kwargs == {"job_id": run["id"]}
    assert _run(database, run["id"]).status == "queued"  # nothing solves it in the web process

    asyncio.run(_work_until_empty(database, settings, clock))

    done = scheduler.get(f"/api/schedule/status?day={DAY}").json()
    assert done["status"] == "done" and done["scheduled"] == 2 and done["error"] is None


def test_a_run_is_queued_once_however_often_it_is_handed_over(
    app: FastAPI, scheduler: TestClient, settings: Settings, world: World
) -> None:
    run = _request_run(scheduler)
    runner = app.state.schedule_runner
    runner.submit(run["id"], world.centers["a"], DAY)  # a second hand-over (a retry of the request)
    assert len(_queue_jobs(settings)) == 1


def test_the_job_of_a_dead_worker_is_retried_and_solved_again_from_the_start(
    scheduler: TestClient, database: Database, settings: Settings, clock: FakeClock
) -> None:
    run = _request_run(scheduler)

    async def scenario() -> stalled.StalledReport:
        app = queue.worker_app(database, settings, clock)
        async with app.open_async():
            died = await _take_and_die(app)
            with database.session() as db:  # it had claimed the run and started solving when it died
                db.execute(
                    text(
                        "UPDATE schedule_jobs SET status = 'running', started_at = :at, queue_job_id = :job "
                        "WHERE id = :id"
                    ),
                    {"at": clock(), "job": died.id, "id": run["id"]},
                )
            return await stalled.retry_or_fail(app, database, settings, clock)

    report = asyncio.run(scenario())
    [job] = _queue_jobs(settings)
    assert report.retried == [job.id] and report.failed == []
    assert job.status == "todo" and job.attempts == 1

    asyncio.run(_work_until_empty(database, settings, clock))  # a live worker takes it and solves it
    solved = _run(database, run["id"])
    assert solved.status == "done" and solved.error is None and solved.result is not None


def test_a_job_whose_worker_dies_again_is_failed_and_its_run_says_why(
    scheduler: TestClient, database: Database, settings: Settings, clock: FakeClock
) -> None:
    run = _request_run(scheduler)

    async def scenario() -> list[stalled.StalledReport]:
        app = queue.worker_app(database, settings, clock)
        reports = []
        async with app.open_async():
            for _ in range(2):  # settings.job_stalled_retries == 1: one retry, then failed
                await _take_and_die(app)
                reports.append(await stalled.retry_or_fail(app, database, settings, clock))
        return reports

    first, second = asyncio.run(scenario())
    [job] = _queue_jobs(settings)
    assert first.retried == [job.id] and second.failed == [job.id] and job.status == "failed"
    lost = _run(database, run["id"])
    assert lost.status == "failed" and lost.error == WORKER_LOST_ERROR
    again = scheduler.post("/api/schedule/runs", json={"day": DAY.isoformat()})
    assert again.status_code == 202  # the day is free for a new run


def test_cancelling_a_queued_run_cancels_its_job_and_frees_the_day(
    app: FastAPI, scheduler: TestClient, database: Database, settings: Settings, clock: FakeClock
) -> None:
    run = _request_run(scheduler)
    cancelled = scheduler.post("/api/schedule/runs/cancel", json={"day": DAY.isoformat()})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "failed" and cancelled.json()["error"] == CANCELLED_ERROR
    [job] = _queue_jobs(settings)
    assert job.status == "cancelled"
    again = scheduler.post("/api/schedule/runs/cancel", json={"day": DAY.isoformat()})
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")

    second = _request_run(scheduler)  # the day is free
    asyncio.run(_work_until_empty(database, settings, clock))
    assert _run(database, run["id"]).error == CANCELLED_ERROR
    assert _run(database, second["id"]).status == "done"


def test_cancelling_a_running_run_asks_its_worker_to_stop_and_drops_its_result(
    app: FastAPI, scheduler: TestClient, database: Database, settings: Settings, clock: FakeClock
) -> None:
    run = _request_run(scheduler)

    async def taken() -> procrastinate.jobs.Job:
        worker = queue.worker_app(database, settings, clock)
        async with worker.open_async():
            worker_id = await worker.job_manager.register_worker()
            job = await worker.job_manager.fetch_job(queues=[queue.OPTIMIZER_QUEUE], worker_id=worker_id)
            assert job is not None
            return job

    job = asyncio.run(taken())
    assert scheduler.post("/api/schedule/runs/cancel", json={"day": DAY.isoformat()}).status_code == 200
    [aborting] = _queue_jobs(settings)
    assert aborting.id == job.id and aborting.abort_requested
    assert _run(database, run["id"]).error == CANCELLED_ERROR
