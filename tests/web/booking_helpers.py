"""Shared steps of the booking tests: an app with center A open on weekdays, a scheduler, patient a1's
confirmed e-mail address, planning a regimen booking (a job: the helpers wait for its run) and booking
it, reading the outbox."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from httpx import Response
from sqlalchemy import select

from msinfusion.db.comms_models import OutboxMessage, PatientContact
from msinfusion.db.models import Appointment
from tests.web.web_world import TestClient, World, csrf_token

__all__ = [
    "add_address",
    "book_regimen",
    "confirm_fields",
    "editor_form",
    "messages",
    "plan_of",
    "plan_regimen",
    "post",
    "save_editor",
    "visits",
]


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


def plan_regimen(client: TestClient, prescription_id: int) -> Response:
    """Press "Book the regimen", wait for the booking run (in the app's thread), and open the run's page."""
    started = client.post(
        f"/staff/prescriptions/{prescription_id}/booking/plan",
        data={"csrf_token": csrf_token(client, "/")},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    assert started.headers["location"] == f"/staff/prescriptions/{prescription_id}/booking/run"
    wait_for_run(client, prescription_id)
    page: Response = client.get(f"/staff/prescriptions/{prescription_id}/booking/run")
    assert page.status_code == 200, page.text
    return page


def wait_for_run(client: TestClient, prescription_id: int) -> dict[str, Any]:
    """Wait until the prescription's newest booking run has ended; its status."""
    status: dict[str, Any] = client.get(f"/staff/prescriptions/{prescription_id}/booking/status").json()
    app = client.app
    assert isinstance(app, FastAPI)
    app.state.schedule_runner.wait_booking(status["id"])
    ended: dict[str, Any] = client.get(f"/staff/prescriptions/{prescription_id}/booking/status").json()
    return ended


_ONE_VISIT = re.compile(
    r'name="dose" value="(\d+)"><input type="hidden" name="day" value="([^"]+)">\s*'
    r'<input type="hidden" name="start" value="([^"]+)"><input type="hidden" name="chair" value="([^"]+)">'
)


def plan_of(page: str) -> list[str]:
    """The plan on a run's page in short: ``dose:date:start:chair`` per proposed visit."""
    return [":".join(found) for found in _ONE_VISIT.findall(page)]


def confirm_fields(page: str) -> dict[str, str]:
    """The run and version a run's page confirms."""
    run = re.search(r'name="run_id" value="(\d+)"', page)
    version = re.search(r'name="version" value="(\d+)"', page)
    assert run is not None and version is not None, "the page offers no confirm button"
    return {"run_id": run.group(1), "version": version.group(1)}


def book_regimen(client: TestClient, prescription_id: int) -> list[str]:
    """Plan the regimen, wait for the plan and confirm it; the plan in short (see :func:`plan_of`)."""
    page = plan_regimen(client, prescription_id).text
    response = client.post(
        f"/staff/prescriptions/{prescription_id}/booking",
        data={**confirm_fields(page), "csrf_token": csrf_token(client, "/")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return plan_of(page)


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
