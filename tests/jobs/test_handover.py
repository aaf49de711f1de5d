"""A run whose hand-over to the queue was lost is not lost, on real PostgreSQL: the request answers normally
when the queue is away, the workers' orphan check queues the job of a run left without one (never a second
job), and on the embedded default ``msinfusion serve`` solves the runs a previous process left queued."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import procrastinate
import psycopg
import pytest
from fastapi import FastAPI

from msinfusion.db import Database, upgrade
from msinfusion.db.day_schedule.runs import CANCELLED_ERROR
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.jobs import queue
from msinfusion.jobs.in_process import InProcessRunner
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.test_staff_schedule import DAY, add_nurses
from tests.web.web_world import FAST, FakeClock, TestClient, World, build_world, csrf_token, sign_in


def _scheduler(app: FastAPI) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, "scheduler_a").status_code == 303
    client.headers["X-CSRF-Token"] = csrf_token(client, "/staff")
    return client


def _run(database: Database, job_id: int) -> ScheduleJob:
    with database.read_session() as db:
        job = db.get(ScheduleJob, job_id)
        assert job is not None
        db.expunge(job)
        return job


def _queue_jobs(settings: Settings) -> list[procrastinate.jobs.Job]:
    app = queue.defer_app(settings)
    with app.open():
        return list(app.job_manager.list_jobs(task=queue.SOLVE_RUN))


def _defer_orphans(database: Database, settings: Settings, clock: FakeClock) -> list[int]:
    async def check() -> list[int]:
        app = queue.worker_app(database, settings, clock)
        async with app.open_async():
            return await queue.defer_orphans(app, database, settings, clock)

    return asyncio.run(check())


async def _work_until_empty(database: Database, settings: Settings, clock: FakeClock) -> None:
    app = queue.worker_app(database, settings, clock)
    async with app.open_async():
        await app.run_worker_async(queues=list(queue.QUEUES), wait=False, install_signal_handlers=False)


@pytest.fixture
def app(settings: Settings, clock: FakeClock, world: World) -> Iterator[FastAPI]:
    made = create_app(settings, clock=clock)
    add_nurses(made, world)
    yield made
    made.state.schedule_runner.shutdown()
    made.state.database.dispose()


def _queue_away(*_: Any, **__: Any) -> None:
    raise psycopg.OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.mark.postgres
def test_a_run_the_queue_could_not_take_is_answered_normally_and_queued_by_the_orphan_check(
    app: FastAPI,
    database: Database,
    settings: Settings,
    clock: FakeClock,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = _scheduler(app)
    later = date(2027, 3, 15)  # a Monday too
    with monkeypatch.context() as away:
        away.setattr(queue, "defer_run", _queue_away)
        answer = client.post("/api/schedule/runs", json={"day": DAY.isoformat()})
        assert answer.status_code == 202, answer.text  # the run is committed: the request answers normally
        token = csrf_token(client, "/staff/schedule")
        page = client.post("/staff/schedule/run", data={"day": later.isoformat(), "csrf_token": token})
        assert page.status_code == 200 and "The optimizer is running" in page.text
    run = answer.json()
    assert run["status"] == "queued" and _queue_jobs(settings) == []
    other = client.get(f"/api/schedule/status?day={later}").json()
    assert other["status"] == "queued"

    clock.advance(seconds=settings.orphan_run_after_seconds - 1)
    assert _defer_orphans(database, settings, clock) == []  # its hand-over may still be on its way
    clock.advance(seconds=2)
    assert _defer_orphans(database, settings, clock) == [run["id"], other["id"]]
    jobs = {job.task_kwargs["job_id"]: job for job in _queue_jobs(settings)}
    assert set(jobs) == {run["id"], other["id"]}
    job = jobs[run["id"]]
    assert job.queue == queue.OPTIMIZER_QUEUE and job.lock == queue.day_lock(world.centers["a"], DAY)
    assert job.queueing_lock == queue.run_lock(run["id"])
    assert _defer_orphans(database, settings, clock) == []  # they have a job now: never a second one

    asyncio.run(_work_until_empty(database, settings, clock))
    assert _run(database, run["id"]).status == "done" and _run(database, other["id"]).status == "done"


@pytest.mark.postgres
def test_a_cancel_the_queue_could_not_take_is_answered_normally(
    app: FastAPI, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _scheduler(app)
    run = client.post("/api/schedule/runs", json={"day": DAY.isoformat()}).json()
    with monkeypatch.context() as away:
        away.setattr(queue, "cancel_run", _queue_away)
        answer = client.post("/api/schedule/runs/cancel", json={"day": DAY.isoformat()})
    assert answer.status_code == 200 and answer.json()["error"] == CANCELLED_ERROR
    assert _run(database, run["id"]).status == "failed"  # its job, if it runs, finds it ended and leaves it


@pytest.mark.postgres
def test_the_orphan_check_leaves_runs_that_have_a_job_in_any_state(
    app: FastAPI, database: Database, settings: Settings, clock: FakeClock
) -> None:
    client = _scheduler(app)
    waiting = client.post("/api/schedule/runs", json={"day": DAY.isoformat()}).json()
    clock.advance(minutes=5)
    assert _defer_orphans(database, settings, clock) == []  # its job waits for a worker
    assert len(_queue_jobs(settings)) == 1

    cancelled = client.post("/api/schedule/runs/cancel", json={"day": DAY.isoformat()})
    assert cancelled.json()["error"] == CANCELLED_ERROR
    [job] = _queue_jobs(settings)
    assert job.status == "cancelled"
    assert _defer_orphans(database, settings, clock) == []  # not queued any more
    with database.session() as db:  # even if the run read queued, its job (cancelled) exists
        row = db.get(ScheduleJob, waiting["id"])
        assert row is not None
        row.status, row.error = "queued", None
    assert _defer_orphans(database, settings, clock) == []
    assert len(_queue_jobs(settings)) == 1


@pytest.mark.postgres
def test_the_orphan_check_is_a_periodic_task_that_never_overlaps_itself(
    database: Database, settings: Settings, clock: FakeClock
) -> None:
    app = queue.worker_app(database, settings, clock)
    task = app.tasks[queue.ORPHAN_RUNS]
    assert task.queue == queue.DEFAULT_QUEUE
    assert task.queueing_lock == queue.ORPHAN_RUNS and task.lock == queue.ORPHAN_RUNS
    periodic = {p.task.name: p.cron for p in app.periodic_registry.periodic_tasks.values()}
    assert periodic[queue.ORPHAN_RUNS] == "* * * * *"


def test_serve_solves_the_runs_a_previous_process_left_queued_as_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    database = Database.connect(url)
    upgrade(database.engine)
    settings = Settings(database_url=url, solver_time_limit_seconds=1, **FAST)
    world = build_world(database, settings)
    clock = FakeClock()
    first = create_app(settings, clock=clock)
    add_nurses(first, world)
    with monkeypatch.context() as dying:  # the process dies after its commit, before the hand-over
        dying.setattr(InProcessRunner, "submit", lambda *_: None)
        run = _scheduler(first).post("/api/schedule/runs", json={"day": DAY.isoformat()}).json()
        other = _scheduler(first).post("/api/schedule/runs", json={"day": date(2027, 3, 15).isoformat()}).json()
    first.state.schedule_runner.shutdown()
    first.state.database.dispose()
    with database.session() as db:  # a run past its deadline is lost, not solved: upkeep stores it as failed
        stale = db.get(ScheduleJob, other["id"])
        assert stale is not None
        stale.deadline_at = clock()

    clock.advance(minutes=1)
    second = create_app(settings, clock=clock)
    try:
        with TestClient(second):  # the server starts (its lifespan)
            second.state.schedule_runner.wait(run["id"])
            assert _run(database, run["id"]).status == "done"
            assert _run(database, other["id"]).status in ("queued", "failed")  # never solved
            assert _run(database, other["id"]).started_at is None
    finally:
        second.state.database.dispose()
        database.dispose()
