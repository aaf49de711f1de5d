"""The what-if page simulates a day the booking engine booked without any optimizer run: "the day as
booked" keeps every visit at its booked start and chair, and can be compared with a proposal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI

from msinfusion.db import day_schedule
from msinfusion.db.day_schedule.day import day_appointment_id
from msinfusion.db.models import Center, Chair
from msinfusion.scheduling import solve
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.booking_helpers import book_regimen, visits
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import FakeClock, TestClient, World, build_world, sign_in


@pytest.fixture
def booked(settings: Settings, clock: FakeClock) -> Iterator[tuple[FastAPI, TestClient, World]]:
    """Patient a1's regimen booked by the engine (no optimizer run); the client is a signed-in scheduler."""
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(app.state.database, app.state.settings)
        open_weekdays(app.state.database, world)
        sign_in(client, "scheduler_a")
        book_regimen(client, world.prescriptions["a1"])
        yield app, client, world


def _booked_place(app: FastAPI, world: World) -> tuple[str, str, str]:
    """The first visit's day, chair code and local start (HH:MM) as the booking engine stored them."""
    first = visits(app, world.prescriptions["a1"])[0]
    with app.state.database.session() as db:
        zone = ZoneInfo(db.get_one(Center, first.center_id).timezone)
        chair = db.get_one(Chair, first.chair_id).code
    assert first.starts_at is not None
    return first.day.isoformat(), chair, first.starts_at.astimezone(zone).strftime("%H:%M")


def test_the_day_as_booked_keeps_every_visit_at_its_booked_start_and_chair(
    booked: tuple[FastAPI, TestClient, World],
) -> None:
    app, _client, world = booked
    first = visits(app, world.prescriptions["a1"])[0]
    with app.state.database.session() as db:
        assert day_schedule.has_booked_visits(db, world.centers["a"], first.day)
        day, schedule = day_schedule.booked_day(db, world.centers["a"], first.day)
        chair = db.get_one(Chair, first.chair_id).code
    [placed] = [a for a in schedule.assignments if a.appointment == day_appointment_id(first.id)]
    [visit] = [a for a in day.appointments if a.id == placed.appointment]
    assert visit.fixed is not None and placed.start == visit.fixed.start == visit.preferred_start
    assert placed.chair == chair and placed.nurse_tasks and not schedule.unscheduled
    assert schedule.solver.name == "greedy"


def test_a_day_booked_without_a_run_is_simulated_as_booked(booked: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = booked
    day, chair, start = _booked_place(app, world)
    page = client.get(f"/staff/schedule/what-if?day={day}&runs=50")
    assert page.status_code == 200, page.text
    assert '<option value="booked" selected>The day as booked</option>' in page.text
    assert "Schedule A: The day as booked" in page.text and "Schedule B:" not in page.text
    assert "no finished optimizer run" not in page.text
    assert f"<td>{chair} {start}</td>" in page.text  # patient a1 at the booked chair and start


def test_the_day_as_booked_is_compared_with_an_optimizer_proposal(
    booked: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = booked
    first = visits(app, world.prescriptions["a1"])[0]
    with app.state.database.session() as db:
        built = day_schedule.build_day(db, world.centers["a"], first.day)
        job, _ = day_schedule.queue_run(db, built, world.centers["a"], world.users["scheduler_a"], app.state.clock(), 0)
        job.status, job.result = "done", json.loads(solve(built.day, solver="greedy").to_json())
        job.finished_at = app.state.clock()
        run = job.id
    page = client.get(f"/staff/schedule/what-if?day={first.day}&runs=50&a=run-{run}&b=booked")
    assert page.status_code == 200, page.text
    assert f"Schedule A: Proposal (optimizer run {run})" in page.text
    assert "Schedule B: The day as booked" in page.text
    default = client.get(f"/staff/schedule/what-if?day={first.day}&runs=50").text
    assert "Schedule A: Proposal" in default and "Schedule B:" not in default  # the run first, as before
