"""Shared steps of the booking tests: an app with center A open on weekdays, a scheduler, patient a1's
confirmed e-mail address, booking a regimen, reading the outbox."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db.comms_models import OutboxMessage, PatientContact
from msinfusion.db.models import Appointment
from tests.web.web_world import TestClient, World, csrf_token

__all__ = ["add_address", "book_regimen", "editor_form", "messages", "post", "save_editor", "visits"]


def add_address(app: FastAPI, world: World, key: str = "a1") -> None:
    """Patient ``key`` has confirmed ana@example.org and wants reminders."""
    with app.state.database.session() as db:
        moment = datetime(2027, 2, 1, tzinfo=UTC)
        db.add(
            PatientContact(
                patient_id=world.patients[key],
                channel="email",
                address="ana@example.org",
                reminder_rules=["day-before"],
                verified_at=moment,
                created_at=moment,
                updated_at=moment,
            )
        )


def post(client: TestClient, url: str, data: Mapping[str, object]) -> object:
    return client.post(url, data={**data, "csrf_token": csrf_token(client, "/")}, follow_redirects=False)


def book_regimen(client: TestClient, prescription_id: int) -> list[str]:
    page = client.get(f"/staff/prescriptions/{prescription_id}/booking")
    assert page.status_code == 200, page.text
    proposal = re.findall(r'name="proposal" value="([^"]+)"', page.text)
    response = client.post(
        f"/staff/prescriptions/{prescription_id}/booking",
        data={"proposal": proposal, "csrf_token": csrf_token(client, "/")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return proposal


def visits(app: FastAPI, prescription_id: int) -> list[Appointment]:
    with app.state.database.session() as db:
        rows = db.scalars(
            select(Appointment).where(Appointment.prescription_id == prescription_id).order_by(Appointment.day)
        ).all()
        db.expunge_all()
        return list(rows)


def messages(app: FastAPI, kind: str = "visit-notice") -> list[OutboxMessage]:
    with app.state.database.session() as db:
        rows = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()
        db.expunge_all()
        return list(rows)


def editor_form(client: TestClient) -> dict[str, list[str]]:
    """The center editor's form as the page fills it: inputs, ticked boxes and the closed-days text."""
    page = client.get("/staff/center/booking").text
    form: dict[str, list[str]] = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if name is None or name.group(1) == "csrf_token":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind is not None and kind.group(1) in ("checkbox", "radio") and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        form.setdefault(name.group(1), []).append(value.group(1) if value else "")
    closures = re.search(r'<textarea id="closures"[^>]*>([^<]*)</textarea>', page)
    form["closures"] = [closures.group(1) if closures else ""]
    return form


def save_editor(client: TestClient, form: Mapping[str, list[str]]) -> object:
    return client.post(
        "/staff/center/booking",
        data={**form, "csrf_token": csrf_token(client, "/")},
        follow_redirects=False,
    )
