"""Each center plans with its own choices: the day schedule page, an optimizer run (page and API) and the
what-if page use the center's durations basis and rates, say so, and another center keeps the app's."""

from __future__ import annotations

import re

from fastapi import FastAPI

from msinfusion.db import day_schedule
from msinfusion.db.center_planning import store_planning
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.scheduling.durations import Basis
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.test_staff_schedule import add_nurses, post
from tests.web.test_what_if import DAY, finished_run, record_history
from tests.web.web_world import FAST, FakeClock, TestClient, World, build_world, csrf_token, sign_in


def _planned(app: FastAPI, world: World, basis: Basis | None, no_show: float | None, add_on: float | None) -> None:
    with app.state.database.session() as db:
        store_planning(db, world.centers["a"], basis, no_show, add_on)


def _staffed(app: FastAPI) -> World:
    world = build_world(app.state.database, app.state.settings)
    add_nurses(app, world)
    return world


def test_the_day_schedule_plans_with_the_centers_basis_and_says_where_it_comes_from(app: FastAPI, world: World) -> None:
    add_nurses(app, world)
    record_history(app, world, (140, 150, 160, 170, 180))
    with TestClient(app) as client:
        sign_in(client, "scheduler_a")
        before = client.get(f"/staff/schedule?day={DAY}").text
        _planned(app, world, "median", None, None)
        after = client.get(f"/staff/schedule?day={DAY}").text
    assert "Visit times planned from: the label timeline." in before
    assert "This center plans with the label timeline: the app&#39;s default" in before
    assert re.search(r"planned from: the recorded median \(Ocrelizumab[^:]*: 5 recorded visits\)", after)
    assert "This center plans with the recorded median: its own choice in the center settings." in after


def test_an_optimizer_run_solves_the_day_on_the_centers_basis_from_the_page_and_the_api(
    app: FastAPI, world: World
) -> None:
    add_nurses(app, world)
    record_history(app, world, (140, 150, 160, 170, 180))
    _planned(app, world, "p80", None, None)
    with app.state.database.session() as db:
        p80 = day_schedule.build_day(db, world.centers["a"], DAY, "p80").day.model_dump(mode="json", exclude_unset=True)
        label = day_schedule.build_day(db, world.centers["a"], DAY).day.model_dump(mode="json", exclude_unset=True)
    assert p80 != label  # the history makes a difference to the day
    with TestClient(app) as client:
        sign_in(client, "scheduler_a")
        assert post(client, "/staff/schedule/run", day=DAY.isoformat()).status_code == 303
        first = client.get(f"/api/schedule/status?day={DAY}").json()["id"]
        app.state.schedule_runner.wait(first)
        token = csrf_token(client, "/staff")
        api = client.post("/api/schedule/runs", json={"day": DAY.isoformat()}, headers={"X-CSRF-Token": token})
        assert api.status_code == 202, api.text
        app.state.schedule_runner.wait(api.json()["id"])
    with app.state.database.session() as db:
        assert api.json()["id"] != first
        assert db.get_one(ScheduleJob, first).day_input == p80
        assert db.get_one(ScheduleJob, api.json()["id"]).day_input == p80


def test_the_what_if_page_starts_from_the_centers_rates_and_another_center_from_the_apps(
    settings_sqlite: Settings,
) -> None:
    app = create_app(
        Settings(database_url=settings_sqlite.database_url, simulation_no_show_rate=0.0, **FAST), clock=FakeClock()
    )
    world = _staffed(app)
    finished_run(app, world, accepted=True)
    _planned(app, world, None, 1.0, 0.0)  # everyone stays away at center a; the app says nobody does
    with TestClient(app) as client:
        sign_in(client, "scheduler_a")
        own = client.get(f"/staff/schedule/what-if?day={DAY}&runs=100&b=none").text
        changed = client.get(f"/staff/schedule/what-if?day={DAY}&runs=100&b=none&no_show=0").text
    assert _no_shows(own) == "2.0" and _no_shows(changed) == "0.0"  # the page's field still wins for one run
    assert "patients who do not come: 100 % (this center&#39;s choice)" in own
    assert "unplanned same-day visits: 0 per 100 booked visits (this center&#39;s choice)" in own
    assert "visit times of the day as booked: the label timeline (app default)" in own
    assert 'name="no_show" type="number" min="0" max="100" step="0.5" value="100.0"' in own
    with TestClient(app) as client:
        sign_in(client, "scheduler_b")
        other = client.get(f"/staff/schedule/what-if?day={DAY}").text
    assert "patients who do not come: 0 % (app default)" in other


def _no_shows(page: str) -> str:
    row = re.search(r"<th scope=\"row\">Expected no-shows</th><td>([^<]*)</td></tr>", page)
    assert row is not None
    return row.group(1)
