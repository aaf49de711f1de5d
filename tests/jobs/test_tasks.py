"""The job functions on their own: upkeep purges expired Idempotency-Key records and stores lost runs as
failed; the settings choose in-process jobs on SQLite and the queue on PostgreSQL; an in-process run that
is cancelled drops its late result."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from msinfusion import scheduling
from msinfusion.db import Database, upgrade
from msinfusion.db.day_schedule.runs import CANCELLED_ERROR, STALE_ERROR
from msinfusion.db.idempotency import IdempotencyRecord
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.jobs import tasks
from msinfusion.jobs.in_process import InProcessRunner
from msinfusion.jobs.runners import QueueRunner, make_runner
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.test_staff_schedule import DAY, add_nurses
from tests.web.web_world import FAST, FakeClock, TestClient, World, csrf_token, sign_in


@pytest.mark.postgres
def test_upkeep_purges_expired_idempotency_records_and_fails_lost_runs(
    database: Database, settings: Settings, world: World, clock: FakeClock
) -> None:
    now = clock()
    user = world.users["scheduler_a"]
    with database.session() as db:
        db.add_all(
            [
                IdempotencyRecord(user_id=user, key="old", fingerprint="f", created_at=now - timedelta(hours=25)),
                IdempotencyRecord(user_id=user, key="new", fingerprint="f", created_at=now - timedelta(hours=1)),
            ]
        )
        lost = ScheduleJob(
            center_id=world.centers["a"], day=DAY, status="running", requested_by=user, created_at=now,
            started_at=now, deadline_at=now - timedelta(seconds=1), time_limit_seconds=1, moves=0,
        )  # fmt: skip
        db.add(lost)
    done = tasks.upkeep(database, settings, clock)
    assert done == tasks.Upkeep(idempotency_records_purged=1, lost_runs_failed=1)
    with database.read_session() as db:
        assert db.scalars(select(IdempotencyRecord.key)).all() == ["new"]
        job = db.scalars(select(ScheduleJob)).one()
        assert job.status == "failed" and job.error == STALE_ERROR
    assert tasks.upkeep(database, settings, clock) == tasks.Upkeep(0, 0)


def test_the_settings_run_jobs_in_process_on_sqlite_and_on_the_queue_on_postgresql(tmp_path: Path) -> None:
    sqlite = Settings(database_url=f"sqlite:///{tmp_path / 'a.sqlite3'}")
    postgres = Settings(database_url="postgresql+psycopg://db/msinfusion")
    assert sqlite.runs_jobs_in_process and sqlite.sends_in_process
    assert not postgres.runs_jobs_in_process and not postgres.sends_in_process
    assert Settings(database_url="postgresql+psycopg://db/x", jobs_in_process="on").sends_in_process
    database = Database.connect(sqlite.database_url)
    try:
        assert isinstance(make_runner(database, sqlite, FakeClock()), InProcessRunner)
        assert isinstance(make_runner(database, postgres, FakeClock()), QueueRunner)
    finally:
        database.dispose()


def test_an_in_process_run_cancelled_while_solving_drops_its_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.web.web_world import build_world

    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    database = Database.connect(url)
    upgrade(database.engine)
    settings = Settings(database_url=url, solver_time_limit_seconds=1, **FAST)
    world = build_world(database, settings)
    release, real = threading.Event(), scheduling.solve

    def held(day: Any, **options: Any) -> Any:
        assert release.wait(10)
        return real(day, **options)

    monkeypatch.setattr("msinfusion.db.day_schedule.runs.solve", held)
    clock = FakeClock()
    app = create_app(settings, clock=clock)
    add_nurses(app, world)
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, "scheduler_a").status_code == 303
    client.headers["X-CSRF-Token"] = csrf_token(client, "/staff")
    run = client.post("/api/schedule/runs", json={"day": DAY.isoformat()}).json()
    token = csrf_token(client, "/staff")
    page = client.post("/staff/schedule/cancel", data={"day": DAY.isoformat(), "csrf_token": token})
    assert page.status_code == 200 and "Run cancelled" in page.text
    release.set()
    app.state.schedule_runner.wait(run["id"])
    status = client.get(f"/api/schedule/status?day={DAY}").json()
    assert status["id"] == run["id"] and status["status"] == "failed" and status["error"] == CANCELLED_ERROR
    assert client.post("/api/schedule/runs", json={"day": DAY.isoformat()}).status_code == 202
    app.state.schedule_runner.wait(run["id"] + 1)
    app.state.schedule_runner.shutdown()
    app.state.database.dispose()
    database.dispose()
