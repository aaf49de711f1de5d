"""Calendar copies: one file per booked visit, and a private feed whose token is hashed, shown once and revocable."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from msinfusion.db.models import AuditEvent, CalendarFeedToken
from tests.web.web_world import TestClient, World, csrf_token, sign_in


@pytest.fixture
def patient(client: TestClient, world: World) -> TestClient:
    assert sign_in(client, "patient_a1").status_code == 303
    client.follow_redirects = False  # a saved form answers 303; the tests look at where it sends them
    return client


def _make_link(client: TestClient) -> str:
    """Make a link as the pages do: at once when there is none, through the confirmation page otherwise."""
    page = client.get("/patient/calendar").text
    if "/patient/calendar/link/new" in page:
        page = client.get("/patient/calendar/link/new").text
    replaces = re.search(r'name="replaces" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    token = csrf_token(client, "/patient/calendar")
    response = client.post("/patient/calendar/link", data={"csrf_token": token, "replaces": replaces})
    assert response.status_code == 201
    match = re.search(r'id="feed-url" type="text" readonly value="http://testserver(/feeds/[^"]+\.ics)"', response.text)
    assert match, "the new link is shown once, in the response"
    return match.group(1)


def test_a_booked_visit_downloads_as_one_calendar_event_with_a_neutral_title(patient: TestClient, world: World) -> None:
    response = patient.get(f"/patient/appointments/{world.appointments['a1']}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert response.text.count("BEGIN:VEVENT") == 1
    assert "ocrelizumab" not in response.text.split("SUMMARY:")[1].split("\r\n")[0].lower()


def test_the_feed_works_only_with_its_token_and_only_the_hash_is_stored(
    app: FastAPI, patient: TestClient, client: TestClient
) -> None:
    path = _make_link(patient)
    token = path.removeprefix("/feeds/").removesuffix(".ics")
    with app.state.database.session() as db:
        stored = db.scalars(select(CalendarFeedToken.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    anonymous = TestClient(app)
    feed = anonymous.get(path)
    assert feed.status_code == 200
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in feed.text
    assert anonymous.get(path.replace(token[:6], "AAAAAA")).status_code == 404
    assert token not in patient.get("/patient/calendar").text  # shown once only


def test_a_revoked_feed_stops_working(app: FastAPI, patient: TestClient) -> None:
    path = _make_link(patient)
    response = patient.post("/patient/calendar/link/revoke", data={"csrf_token": csrf_token(patient, "/patient")})
    assert response.status_code == 303
    assert TestClient(app).get(path).status_code == 404


def test_a_new_link_turns_the_old_one_off(app: FastAPI, patient: TestClient) -> None:
    old = _make_link(patient)
    new = _make_link(patient)
    anonymous = TestClient(app)
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    with app.state.database.session() as db:
        live = db.scalars(select(CalendarFeedToken).where(CalendarFeedToken.revoked_at.is_(None))).all()
        exports = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "calendar_feed")).all()
    assert len(live) == 1
    assert {e.action for e in exports} >= {"create", "export"}


def test_reloading_or_resending_never_replaces_the_link_just_made(app: FastAPI, patient: TestClient) -> None:
    first = _make_link(patient)
    confirm = patient.get("/patient/calendar/link/new")
    assert confirm.status_code == 200 and "stops working when you make a new one" in confirm.text
    patient.get("/patient/calendar/link/new")  # opening (or reloading) the question changes nothing
    token = csrf_token(patient, "/patient/calendar")
    resent = patient.post("/patient/calendar/link", data={"csrf_token": token, "replaces": "none"})  # the old form
    assert resent.status_code == 303 and "saved=unchanged" in resent.headers["location"]
    assert TestClient(app).get(first).status_code == 200
    with app.state.database.session() as db:
        assert len(db.scalars(select(CalendarFeedToken)).all()) == 1


def test_the_medicine_shows_in_titles_only_when_the_patient_opts_in(patient: TestClient, world: World) -> None:
    token = csrf_token(patient, "/patient/calendar")
    response = patient.post("/patient/calendar/preferences", data={"csrf_token": token, "show_treatment": "true"})
    assert response.status_code == 303
    event = patient.get(f"/patient/appointments/{world.appointments['a1']}.ics").text
    assert "ocrelizumab" in event.split("SUMMARY:")[1].split("\r\n")[0].lower()


def test_the_page_says_when_the_link_stops_working_and_that_an_old_link_has_expired(
    app: FastAPI, patient: TestClient
) -> None:
    path = _make_link(patient)
    days = app.state.settings.calendar_link_days
    made = app.state.clock()
    ends = made + timedelta(days=days)
    page = patient.get("/patient/calendar").text
    assert "It is working." in page and f"It stops working on {ends:%B} {ends.day}, {ends.year}." in page
    with app.state.database.session() as db:  # the link was made a day more than the setting ago
        db.execute(update(CalendarFeedToken).values(created_at=made - timedelta(days=days + 1)))
    assert TestClient(app).get(path).status_code == 404  # the feed refuses it...
    page = patient.get("/patient/calendar").text  # ...and the page says so instead of "It is working."
    assert "has expired" in page and "It is working." not in page
    assert "Make a new link" in page
