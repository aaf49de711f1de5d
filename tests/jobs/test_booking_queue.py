"""Regimen booking runs on the procrastinate queue, on real PostgreSQL: "Book the regimen" defers a job with
its center lock, a worker plans it and the page then offers the plan to confirm; a booking job whose worker
dies twice is failed and its run says why; upkeep fails booking runs past their deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import procrastinate
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db import Database
from msinfusion.db.booking_models import BookingRun
from msinfusion.db.booking_runs import STALE_ERROR, WORKER_LOST_ERROR
from msinfusion.jobs import queue, stalled, tasks
from msinfusion.jobs.runners import QueueRunner
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.booking_helpers import confirm_fields, visits
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import FakeClock, TestClient, World, csrf_token, sign_in

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(settings: Settings, clock: FakeClock, world: World, database: Database) -> Iterator[FastAPI]:
    open_weekdays(database, world)
    made = create_app(settings, clock=clock)
    yield made
    made.state.schedule_runner.shutdown()
    made.state.database.dispose()


@pytest.fixture
def scheduler(app: FastAPI) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, "scheduler_a").status_code == 303
    return client


def _plan(client: TestClient, prescription_id: int) -> int:
    started = client.post(
        f"/staff/prescriptions/{prescription_id}/booking/plan",
        data={"csrf_token": csrf_token(client, "/staff")},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    run_id: int = client.get(f"/staff/prescriptions/{prescription_id}/booking/status").json()["id"]
    return run_id


def _booking_jobs(settings: Settings) -> list[procrastinate.jobs.Job]:
    app = queue.defer_app(settings)
    with app.open():
        return list(app.job_manager.list_jobs(task=queue.PLAN_BOOKING))


def _run(database: Database, run_id: int) -> BookingRun:
    with database.read_session() as db:
        run = db.get_one(BookingRun, run_id)
        db.expunge(run)
        return run


async def _work_until_empty(database: Database, settings: Settings, clock: FakeClock) -> None:
    app = queue.worker_app(database, settings, clock)
    async with app.open_async():
        await app.run_worker_async(queues=list(queue.QUEUES), wait=False, install_signal_handlers=False)


def test_a_booking_is_planned_by_a_worker_and_then_confirmed(
    app: FastAPI, scheduler: TestClient, database: Database, settings: Settings, clock: FakeClock, world: World
) -> None:
    assert isinstance(app.state.schedule_runner, QueueRunner)
    rx = world.prescriptions["a1"]
    run_id = _plan(scheduler, rx)
    [job] = _booking_jobs(settings)
    assert job.status == "todo" and job.queue == queue.OPTIMIZER_QUEUE
    assert job.lock == queue.booking_lock(world.centers["a"]) == f"booking-center:{world.centers['a']}"
    assert job.queueing_lock == queue.booking_run_lock(run_id) and job.task_kwargs == {"run_id": run_id}
    waiting = scheduler.get(f"/staff/prescriptions/{rx}/booking/run").text
    assert "Waiting to start planning." in waiting and 'role="status"' in waiting  # no worker has taken it yet
    app.state.schedule_runner.submit_booking(run_id, world.centers["a"])  # a retried hand-over queues nothing
    assert len(_booking_jobs(settings)) == 1

    asyncio.run(_work_until_empty(database, settings, clock))

    assert _run(database, run_id).status == "done"
    page = scheduler.get(f"/staff/prescriptions/{rx}/booking/run").text
    confirmed = scheduler.post(
        f"/staff/prescriptions/{rx}/booking",
        data={**confirm_fields(page), "csrf_token": csrf_token(scheduler, "/staff")},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303, confirmed.text
    result = _run(database, run_id).result
    assert result is not None and len(visits(app, rx)) == len(result["bookings"]) >= 2


def test_a_booking_job_whose_worker_dies_twice_is_failed_and_its_run_says_why(
    scheduler: TestClient, database: Database, settings: Settings, clock: FakeClock, world: World
) -> None:
    rx = world.prescriptions["a1"]
    run_id = _plan(scheduler, rx)

    async def scenario() -> list[stalled.StalledReport]:
        app = queue.worker_app(database, settings, clock)
        reports = []
        async with app.open_async():
            for _ in range(2):  # settings.job_stalled_retries == 1: one retry, then failed
                worker_id = await app.job_manager.register_worker()
                job = await app.job_manager.fetch_job(queues=[queue.OPTIMIZER_QUEUE], worker_id=worker_id)
                assert job is not None and job.task_name == queue.PLAN_BOOKING
                await app.connector.execute_query_async(
                    "UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour' WHERE id = %(id)s",
                    id=worker_id,
                )
                reports.append(await stalled.retry_or_fail(app, database, settings, clock))
        return reports

    first, second = asyncio.run(scenario())
    [job] = _booking_jobs(settings)
    assert first.retried == [job.id] and second.failed == [job.id] and job.status == "failed"
    lost = _run(database, run_id)
    assert lost.status == "failed" and lost.error == WORKER_LOST_ERROR
    page = scheduler.get(f"/staff/prescriptions/{rx}/booking/run").text
    assert "The booking was not planned." in page and "stopped without finishing it" in page
    assert f'action="/staff/prescriptions/{rx}/booking/plan"' in page  # plan again
    assert _plan(scheduler, rx) != run_id  # the prescription is free for a new run


def test_upkeep_fails_booking_runs_past_their_deadline(
    scheduler: TestClient, database: Database, settings: Settings, clock: FakeClock, world: World
) -> None:
    run_id = _plan(scheduler, world.prescriptions["a1"])  # no worker takes it
    clock.advance(minutes=11)
    assert tasks.upkeep(database, settings, clock) == tasks.Upkeep(0, 0, 1)
    with database.read_session() as db:
        run = db.scalars(select(BookingRun)).one()
        assert run.id == run_id and run.status == "failed" and run.error == STALE_ERROR
    assert tasks.upkeep(database, settings, clock) == tasks.Upkeep(0, 0, 0)
    assert run.finished_at is not None and clock() - run.finished_at < timedelta(seconds=1)
