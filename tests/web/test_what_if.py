"""Learned durations on staff pages and the what-if page: the catalog shows label against recorded minutes,
the day schedule says what its durations rest on, and schedulers compare two schedules simulated many times.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from fastapi import FastAPI

from msinfusion.db import day_schedule
from msinfusion.db.models import Appointment
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.scheduling import solve
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.test_staff_schedule import add_nurses
from tests.web.web_world import FAST, FakeClock, TestClient, World, sign_in

DAY = date(2027, 3, 8)  # a Monday: the world's centers open 07:00-19:00 on Mondays


def record_history(app: FastAPI, world: World, infusions: tuple[int, ...], treatment: str = "ocrelizumab-300") -> None:
    """Past visits of patient a1 with board steps: 30 min before, ``infusion`` minutes, 60 min after."""
    with app.state.database.session() as db:
        for week, minutes in enumerate(infusions, start=1):
            day = DAY - timedelta(days=7 * week)
            appointment = Appointment(
                center_id=world.centers["a"],
                patient_id=world.patients["a1"],
                dose_index=1,
                treatment=treatment,
                day=day,
                status="completed",
                board_state="discharged",
            )
            db.add(appointment)
            db.flush()
            at = datetime.combine(day, time(14), tzinfo=UTC)
            for state, offset in (("checked_in", 0), ("infusing", 30), ("observation", minutes), ("discharged", 60)):
                at += timedelta(minutes=offset)
                db.add(BoardEvent(appointment_id=appointment.id, state=state, at=at, user_id=world.users["nurse_a"]))


def finished_run(app: FastAPI, world: World, *, accepted: bool) -> int:
    """A finished (greedy) optimizer run of the day, accepted or only proposed."""
    with app.state.database.session() as db:
        built = day_schedule.build_day(db, world.centers["a"], DAY)
        job, _ = day_schedule.queue_run(db, built, world.centers["a"], world.users["scheduler_a"], app.state.clock(), 0)
        schedule = solve(built.day, solver="greedy")
        job.status, job.result = "done", json.loads(schedule.to_json())
        job.finished_at = app.state.clock()
        db.flush()
        if accepted:
            day_schedule.accept(db, job, world.users["scheduler_a"], app.state.clock())
        return job.id


@pytest.fixture
def staffed(app: FastAPI, world: World) -> World:
    add_nurses(app, world)
    return world


def test_the_catalog_shows_label_against_recorded_minutes_per_dose_step(
    client: TestClient, app: FastAPI, world: World
) -> None:
    sign_in(client, "nurse_a")
    before = client.get("/staff/catalog/ocrelizumab-iv").text
    assert "Minutes per dose step, label and recorded" in before and "No history yet" in before
    record_history(app, world, (140, 150, 160, 170, 180))
    page = client.get("/staff/catalog/ocrelizumab-iv").text
    row = re.search(r"<th scope=\"row\">[^<]*300[^<]*\(doses 1-2\)</th>\s*<td>Infusion</td>\s*(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells[1:] == ["160", "172", "5"]  # median, 80th percentile (inclusive), count
    assert int(cells[0]) > 0  # the label minutes beside them


def test_the_day_schedule_says_which_durations_it_plans_with(
    app: FastAPI, staffed: World, settings_sqlite: Settings
) -> None:
    record_history(app, staffed, (140, 150, 160, 170, 180))
    with TestClient(app) as client:
        sign_in(client, "scheduler_a")
        page = client.get(f"/staff/schedule?day={DAY}").text
    assert "Visit times planned from: the label timeline." in page
    median = create_app(
        Settings(database_url=settings_sqlite.database_url, duration_basis="median", **FAST), clock=FakeClock()
    )
    with TestClient(median) as client:
        sign_in(client, "scheduler_a")
        page = client.get(f"/staff/schedule?day={DAY}").text
    assert re.search(r"planned from: the recorded median \(Ocrelizumab[^:]*: 5 recorded visits\)", page)


def test_a_scheduler_compares_the_accepted_schedule_with_a_newer_proposal(app: FastAPI, staffed: World) -> None:
    accepted = finished_run(app, staffed, accepted=True)
    proposal = finished_run(app, staffed, accepted=False)
    with TestClient(app) as client:
        sign_in(client, "scheduler_a")
        page = client.get(f"/staff/schedule/what-if?day={DAY}&runs=200")
    assert page.status_code == 200
    text = page.text
    assert "Results of 200 simulated runs" in text
    assert f"Schedule A: Accepted schedule (optimizer run {accepted})" in text
    assert f"Schedule B: Proposal (optimizer run {proposal})" in text
    metrics = re.search(r"<caption id=\"what-if-metrics-caption\">.*?</table>", text, re.S)
    assert metrics is not None
    for name in ("Expected overtime past closing", "Average patient wait", "Chair use during opening hours"):
        row = re.search(rf"<th scope=\"row\">{re.escape(name)}</th>((?:<td>[^<]*</td>)+)", metrics.group(0))
        assert row is not None and len(re.findall("<td>", row.group(1))) == 2
    patients = re.search(r"<caption id=\"what-if-patients-caption\">.*?</table>", text, re.S)
    assert patients is not None
    assert "Patient A1 (PA1)" in patients.group(0) and "Patient A2 (PA2)" in patients.group(0)
    assert re.search(r"<td>C0\d \d\d:\d\d</td><td>\d+ %</td>", patients.group(0))


def test_the_what_if_page_uses_recorded_durations_and_the_chosen_assumptions(app: FastAPI, staffed: World) -> None:
    record_history(app, staffed, (140, 150, 160, 170, 180))
    finished_run(app, staffed, accepted=True)
    with TestClient(app) as client:
        sign_in(client, "scheduler_a")
        text = client.get(f"/staff/schedule/what-if?day={DAY}&runs=100&no_show=100&b=none").text
    assert re.search(r"Recorded durations used for: Ocrelizumab[^(]*\(5 recorded visits\)", text)
    row = re.search(r"<th scope=\"row\">Expected no-shows</th><td>([^<]*)</td></tr>", text)
    assert row is not None and row.group(1) == "2.0"  # everyone stays away when the rate is 100 %
    assert "Schedule B:" not in text


def test_a_day_without_a_finished_run_says_so(client: TestClient, staffed: World) -> None:
    sign_in(client, "scheduler_a")
    page = client.get(f"/staff/schedule/what-if?day={DAY}")
    assert page.status_code == 200 and "no finished optimizer run to simulate yet" in page.text


def test_an_unknown_schedule_is_not_found_and_bad_assumptions_are_refused(app: FastAPI, staffed: World) -> None:
    finished_run(app, staffed, accepted=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        sign_in(client, "scheduler_a")
        missing = client.get(f"/staff/schedule/what-if?day={DAY}&b=run-999999")
        assert missing.status_code == 404 and "finished runs. Choose one below." in missing.text
        assert client.get(f"/staff/schedule/what-if?day={DAY}&runs=1").status_code == 422
        assert client.get(f"/staff/schedule/what-if?day={DAY}&no_show=120").status_code == 422


def test_only_schedulers_and_admins_open_the_what_if_page(app: FastAPI, staffed: World) -> None:
    for username, status in (("nurse_a", 403), ("patient_a1", 403), ("admin_a", 200)):
        with TestClient(app, raise_server_exceptions=False) as client:
            sign_in(client, username)
            assert client.get(f"/staff/schedule/what-if?day={DAY}").status_code == status, username


def test_another_centers_runs_are_not_offered(app: FastAPI, staffed: World) -> None:
    job = finished_run(app, staffed, accepted=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        sign_in(client, "scheduler_b")
        page = client.get(f"/staff/schedule/what-if?day={DAY}")
        assert "no finished optimizer run to simulate yet" in page.text and f"run-{job}" not in page.text
        assert client.get(f"/staff/schedule/what-if?day={DAY}&a=run-{job}").status_code == 404
