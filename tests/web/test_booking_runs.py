"""The regimen booking run pages, with the in-process runner, on SQLite and PostgreSQL: a run that failed
says why and offers to plan again; a run lost with its process reads as failed once past its deadline; a
prescription not yet planned offers the button; the status the page's script polls; patients never see any."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from msinfusion.db import booking_runs
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.booking_helpers import book_regimen, plan_regimen, visits, wait_for_run
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in


@pytest.fixture
def both(settings: Settings, clock: FakeClock) -> Iterator[tuple[FastAPI, TestClient, World]]:
    """The app on each back-end, center A open on weekdays, a scheduler signed in."""
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(app.state.database, app.state.settings)
        open_weekdays(app.state.database, world)
        sign_in(client, "scheduler_a")
        yield app, client, world


def _press_plan(client: TestClient, rx: int) -> None:
    started = client.post(
        f"/staff/prescriptions/{rx}/booking/plan",
        data={"csrf_token": csrf_token(client, "/staff")},
        follow_redirects=False,
    )
    assert started.status_code == 303 and started.headers["location"] == f"/staff/prescriptions/{rx}/booking/run"


def test_a_failed_plan_says_why_and_planning_again_books(
    both: tuple[FastAPI, TestClient, World], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the engine broke")

    with monkeypatch.context() as patched:
        patched.setattr(booking_runs, "book", broken)
        _press_plan(client, rx)
        assert wait_for_run(client, rx)["status"] == "failed"
    page = client.get(f"/staff/prescriptions/{rx}/booking/run")
    assert page.status_code == 200
    assert "The booking was not planned." in page.text and "The booking engine stopped with an error." in page.text
    assert "the engine broke" not in page.text  # no internals on the page
    assert f'action="/staff/prescriptions/{rx}/booking/plan"' in page.text and 'name="run_id"' not in page.text
    assert book_regimen(client, rx) and visits(app, rx)  # plan again, then confirm


def test_a_run_lost_with_its_process_reads_as_failed_past_its_deadline(
    both: tuple[FastAPI, TestClient, World], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client, world = both
    rx = world.prescriptions["a1"]
    monkeypatch.setattr(app.state.schedule_runner, "submit_booking", lambda run_id, center_id: None)  # it died
    _press_plan(client, rx)
    waiting = client.get(f"/staff/prescriptions/{rx}/booking/run").text
    assert 'role="status"' in waiting and "Waiting to start planning." in waiting
    assert "/static/booking-run.js" in waiting and "Check again" in waiting
    clock.advance(minutes=11)
    status = client.get(f"/staff/prescriptions/{rx}/booking/status").json()
    assert status["status"] == "failed" and status["stale"] and status["error"] == booking_runs.STALE_ERROR
    lost = client.get(f"/staff/prescriptions/{rx}/booking/run").text
    assert "stopped without finishing (the server may have restarted)" in lost and "Plan again" in lost
    monkeypatch.undo()
    assert plan_regimen(client, rx).text.count('name="run_id"') == 1  # a new run, planned


def test_a_prescription_not_yet_planned_offers_the_button_and_its_status_is_null(
    both: tuple[FastAPI, TestClient, World],
) -> None:
    _app, client, world = both
    rx = world.prescriptions["a1"]
    page = client.get(f"/staff/prescriptions/{rx}/booking/run")
    assert page.status_code == 200 and "No booking has been planned for this prescription yet." in page.text
    assert client.get(f"/staff/prescriptions/{rx}/booking/status").json() is None
    patient_page = client.get(f"/staff/patients/{world.patients['a1']}").text
    assert f'action="/staff/prescriptions/{rx}/booking/plan"' in patient_page  # "Book the regimen" is a button


def test_patients_and_nurses_never_see_booking_runs(both: tuple[FastAPI, TestClient, World]) -> None:
    _app, client, world = both
    rx = world.prescriptions["a1"]
    plan_regimen(client, rx)
    for user in ("patient_a1", "nurse_a"):
        client.cookies.clear()
        sign_in(client, user)
        for url in (f"/staff/prescriptions/{rx}/booking/run", f"/staff/prescriptions/{rx}/booking/status"):
            assert client.get(url, follow_redirects=False).status_code == 403, (user, url)
