"""The move page offers the engine's places; patients ask to change a visit, schedulers accept one of the
engine's alternatives (the visit moves, the patient is told) or decline with a reason the patient reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db.booking_models import ChangeRequest, VisitChange
from msinfusion.db.models import AuditEvent, User
from msinfusion.regimens import dose_calendar
from msinfusion.settings import Settings
from msinfusion.therapies import load_catalog
from msinfusion.web import create_app
from tests.web.booking_helpers import add_address, book_regimen, messages, post, visits
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import FakeClock, TestClient, World, build_world, sign_in


@pytest.fixture
def booked(settings: Settings, clock: FakeClock) -> Iterator[tuple[FastAPI, TestClient, World]]:
    """Patient a1's ocrelizumab regimen booked by the engine; the client is signed in as patient a1."""
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(app.state.database, app.state.settings)
        open_weekdays(app.state.database, world)
        add_address(app, world)
        sign_in(client, "scheduler_a")
        book_regimen(client, world.prescriptions["a1"])
        client.cookies.clear()
        sign_in(client, "patient_a1")
        yield app, client, world


def _as(client: TestClient, username: str) -> None:
    client.cookies.clear()
    sign_in(client, username)


def _options(page: str) -> list[str]:
    return re.findall(r'name="option" value="([^"]+)"', page)


def _window(app: FastAPI, world: World, dose: int) -> tuple[date, date]:
    days = [v.day for v in visits(app, world.prescriptions["a1"])]
    calendar = dose_calendar(load_catalog().get("ocrelizumab-iv"), date(2027, 3, 8), date(2028, 6, 1), days[: dose - 1])
    found = next(d for d in calendar.doses if d.number == dose)
    return found.window.start, found.window.end


def test_the_move_page_offers_the_engines_places_inside_the_window_and_moves_to_one(
    booked: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = booked
    _as(client, "scheduler_a")
    second = visits(app, world.prescriptions["a1"])[1]
    page = client.get(f"/staff/appointments/{second.id}/move")
    assert page.status_code == 200 and "Suggested by the booking engine" in page.text
    options = _options(page.text)
    assert 1 <= len(options) <= 3 and len({o.split("|")[0] for o in options}) == len(options)
    low, high = _window(app, world, 2)
    for option in options:
        day = date.fromisoformat(option.split("|")[0])
        assert low <= day <= high and day != second.day and day.weekday() < 5
    moved = post(client, f"/staff/appointments/{second.id}/move", {"option": options[0], "version": second.version})
    assert moved.status_code == 303  # type: ignore[attr-defined]
    after = next(v for v in visits(app, world.prescriptions["a1"]) if v.id == second.id)
    assert after.day.isoformat() == options[0].split("|")[0]
    with app.state.database.session() as db:
        assert db.scalar(select(VisitChange).where(VisitChange.kind == "exception")) is None  # no rule broken
    assert messages(app)[-1].idempotency_key.startswith(f"notice:moved:appointment-{second.id}:")
    bad = post(client, f"/staff/appointments/{second.id}/move", {"option": "not-a-place"})
    assert bad.status_code == 422  # type: ignore[attr-defined]


def test_a_patient_asks_and_the_scheduler_accepts_an_alternative_that_meets_the_request(
    booked: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = booked
    second = visits(app, world.prescriptions["a1"])[1]
    plan = client.get("/patient").text
    assert f'href="/patient/appointments/{second.id}/change"' in plan and "Ask to change this visit" in plan
    blocked = second.day + timedelta(days=1)
    asked = post(
        client,
        f"/patient/appointments/{second.id}/change",
        {"unavailable": [second.day.isoformat(), blocked.isoformat(), ""], "time_of_day": "afternoon", "note": "work"},
    )
    assert asked.status_code == 303  # type: ignore[attr-defined]
    assert "The center is looking at it." in client.get("/patient").text
    again = post(client, f"/patient/appointments/{second.id}/change", {"note": "again"})
    assert again.status_code == 422 and "already asked" in again.text  # type: ignore[attr-defined]
    _as(client, "scheduler_a")
    queue = client.get("/staff/change-requests")
    assert queue.status_code == 200 and "Patient A1" in queue.text and "afternoon" in queue.text
    options = _options(queue.text)
    assert options
    low, high = _window(app, world, 2)
    for option in options:
        day, _start, _chair = option.split("|")
        assert low <= date.fromisoformat(day) <= high
        assert date.fromisoformat(day) not in (second.day, blocked)
    with app.state.database.session() as db:
        request = db.scalars(select(ChangeRequest)).one()
    stale = post(
        client,
        f"/staff/appointments/{second.id}/change-request/accept",
        {"option": options[0], "version": request.version + 1},
    )
    assert stale.status_code == 409  # type: ignore[attr-defined]
    accepted = post(
        client,
        f"/staff/appointments/{second.id}/change-request/accept",
        {"option": options[0], "version": request.version},
    )
    assert accepted.status_code == 303  # type: ignore[attr-defined]
    after = next(v for v in visits(app, world.prescriptions["a1"]) if v.id == second.id)
    assert after.day.isoformat() == options[0].split("|")[0] and after.version > second.version
    assert messages(app)[-1].idempotency_key.startswith(f"notice:moved:appointment-{second.id}:")
    with app.state.database.session() as db:
        request = db.scalars(select(ChangeRequest)).one()
        assert request.state == "accepted" and request.moved_to["day"] == after.day.isoformat()
        actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.object_type == "change_request"))]
        assert "create" in actions and "accept" in actions
    assert "No open requests." in client.get("/staff/change-requests").text
    _as(client, "patient_a1")
    assert "The center moved this visit as you asked." in client.get("/patient").text


def test_a_declined_request_shows_the_reason_to_the_patient(booked: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = booked
    first = visits(app, world.prescriptions["a1"])[0]
    assert post(client, f"/patient/appointments/{first.id}/change", {"time_of_day": "morning"}).status_code == 303  # type: ignore[attr-defined]
    _as(client, "scheduler_a")
    short = post(client, f"/staff/appointments/{first.id}/change-request/decline", {"reason": "no"})
    assert short.status_code == 422  # type: ignore[attr-defined]
    reason = "The first dose must stay on this day; please call us."
    declined = post(client, f"/staff/appointments/{first.id}/change-request/decline", {"reason": reason})
    assert declined.status_code == 303  # type: ignore[attr-defined]
    twice = post(client, f"/staff/appointments/{first.id}/change-request/decline", {"reason": reason})
    assert twice.status_code == 409  # type: ignore[attr-defined]
    assert visits(app, world.prescriptions["a1"])[0].day == first.day
    _as(client, "patient_a1")
    assert reason in client.get("/patient").text
    assert reason in client.get(f"/patient/appointments/{first.id}/change").text


def test_a_request_needs_something_to_change_and_dates_from_today(booked: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = booked
    first = visits(app, world.prescriptions["a1"])[0]
    empty = post(client, f"/patient/appointments/{first.id}/change", {})
    assert empty.status_code == 422 and "Tell us what to change" in empty.text  # type: ignore[attr-defined]
    past = post(client, f"/patient/appointments/{first.id}/change", {"unavailable": "2020-01-01"})
    assert past.status_code == 422  # type: ignore[attr-defined]
    garbage = post(client, f"/patient/appointments/{first.id}/change", {"unavailable": "soon"})
    assert garbage.status_code == 422  # type: ignore[attr-defined]
    with app.state.database.session() as db:
        assert db.scalars(select(ChangeRequest)).all() == []


def test_another_patient_and_other_centers_cannot_reach_a_request(booked: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = booked
    first = visits(app, world.prescriptions["a1"])[0]
    assert post(client, f"/patient/appointments/{first.id}/change", {"note": "a wedding"}).status_code == 303  # type: ignore[attr-defined]
    _as(client, "patient_a2")
    assert client.get(f"/patient/appointments/{first.id}/change").status_code == 404
    _as(client, "scheduler_b")
    assert "a wedding" not in client.get("/staff/change-requests").text
    refused = post(client, f"/staff/appointments/{first.id}/change-request/decline", {"reason": "not yours"})
    assert refused.status_code == 404  # type: ignore[attr-defined]
    _as(client, "nurse_a")
    assert client.get("/staff/change-requests").status_code == 403


def test_the_staff_patient_page_shows_the_open_request_of_a_visit_in_english_and_spanish(
    booked: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = booked
    second = visits(app, world.prescriptions["a1"])[1]
    blocked = second.day + timedelta(days=1)
    asked = post(
        client,
        f"/patient/appointments/{second.id}/change",
        {"unavailable": [blocked.isoformat()], "time_of_day": "morning", "note": "school run"},
    )
    assert asked.status_code == 303  # type: ignore[attr-defined]
    with app.state.database.session() as db:
        request = db.scalars(select(ChangeRequest)).one()
    _as(client, "scheduler_a")
    page = client.get(f"/staff/patients/{world.patients['a1']}").text
    visit = page[page.index(f'id="visit-{second.id}"') :].split('id="visit-')[1]  # this visit's item only
    assert "The patient asked to change this visit" in visit
    assert f"Cannot come on: {blocked.isoformat()}" in visit and "morning" in visit and "school run" in visit
    assert f'href="/staff/change-requests#request-{request.id}"' in visit
    assert page.count("The patient asked to change this visit") == 1  # only the visit asked about
    with app.state.database.session() as db:
        db.get_one(User, world.users["scheduler_a"]).locale = "es"
    spanish = client.get(f"/staff/patients/{world.patients['a1']}").text
    assert "El paciente pidió cambiar esta visita" in spanish
    assert "Respóndala en la cola de solicitudes de cambio" in spanish
    declined = post(
        client,
        f"/staff/appointments/{second.id}/change-request/decline",
        {"reason": "no other place", "version": request.version},
    )
    assert declined.status_code == 303  # type: ignore[attr-defined]
    assert "El paciente pidió cambiar esta visita" not in client.get(f"/staff/patients/{world.patients['a1']}").text
