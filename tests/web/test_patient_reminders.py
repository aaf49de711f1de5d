"""Reminders on the patient's pages: add and confirm an address, choose reminders, stop them, one-click links."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import select

from msinfusion.db.comms_models import OutboxMessage, PatientContact
from msinfusion.db.models import Patient
from msinfusion.outbox.config import mail_config
from msinfusion.outbox.producers import unsubscribe_headers
from tests.web.web_world import TestClient, World, csrf_token, sign_in

ALL_RULES = ["prepare", "day-before", "leave-soon"]


@pytest.fixture
def patient(client: TestClient, world: World) -> TestClient:
    assert sign_in(client, "patient_a1").status_code == 303
    client.follow_redirects = False
    return client


def _save(client: TestClient, email: str, rules: list[str] = ALL_RULES) -> Response:
    token = csrf_token(client, "/patient/reminders")
    response: Response = client.post("/patient/reminders", data={"email": email, "rule": rules, "csrf_token": token})
    return response


def _contact(app: FastAPI, world: World) -> PatientContact | None:
    with app.state.database.session() as db:
        contact: PatientContact | None = db.scalars(
            select(PatientContact).where(PatientContact.patient_id == world.patients["a1"])
        ).first()
        return contact


def _link(app: FastAPI, kind: str) -> str:
    """The path of the newest link of ``kind`` in the e-mails waiting in the outbox."""
    with app.state.database.session() as db:
        bodies = db.scalars(select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc())).all()
        headers = db.scalars(select(OutboxMessage.headers).order_by(OutboxMessage.id.desc())).all()
    text = "\n".join(bodies) + "\n".join(h.get("List-Unsubscribe", "") for h in headers)
    match = re.search(rf"http://127\.0\.0\.1:8000(/{kind}/[A-Za-z0-9_.-]+)", text)
    assert match, f"no {kind} link in the outbox"
    return match.group(1)


def _verify(app: FastAPI) -> None:
    browser = TestClient(app, follow_redirects=False)
    path = _link(app, "verify-email")
    token = csrf_token(browser, path)
    assert browser.post(path, data={"csrf_token": token}).status_code == 200


def test_adding_an_address_queues_the_verification_email_and_the_page_says_it_waits(
    app: FastAPI, patient: TestClient, world: World
) -> None:
    response = _save(patient, " Ana@Example.ORG ")
    assert response.status_code == 303
    contact = _contact(app, world)
    assert contact is not None and contact.address == "Ana@example.org" and contact.verified_at is None
    assert "verify-email" in _link(app, "verify-email")
    page = patient.get("/patient/reminders?saved=sent").text
    assert "Open the link in it to start your reminders" in page
    assert "Ana@example.org" in page


def test_opening_the_verification_link_changes_nothing_until_the_button_is_pressed(
    app: FastAPI, patient: TestClient, world: World
) -> None:
    _save(patient, "ana@example.org")
    path = _link(app, "verify-email")
    page = TestClient(app).get(path)
    assert page.status_code == 200 and 'method="post"' in page.text
    assert _contact(app, world).verified_at is None  # type: ignore[union-attr]
    _verify(app)
    assert _contact(app, world).verified_at is not None  # type: ignore[union-attr]


def test_the_plan_lists_email_reminders_only_once_the_address_is_confirmed(
    app: FastAPI, patient: TestClient, world: World
) -> None:
    assert "We do not send you reminders yet" in patient.get("/patient").text
    _save(patient, "ana@example.org")
    assert "We do not send you reminders yet" in patient.get("/patient").text
    _verify(app)
    plan = patient.get("/patient").text
    assert "so we also send you these reminders by e-mail" in plan
    assert "Reminders we send" in plan


def test_a_bad_address_is_refused_and_kept_in_the_field_to_correct(
    app: FastAPI, patient: TestClient, world: World
) -> None:
    response = _save(patient, "ana at example")
    assert response.status_code == 422
    assert 'value="ana at example"' in response.text and 'aria-invalid="true"' in response.text
    assert _contact(app, world) is None


def test_the_one_click_unsubscribe_works_without_a_session_or_csrf_token(
    app: FastAPI, patient: TestClient, world: World
) -> None:
    _save(patient, "ana@example.org")
    _verify(app)
    with app.state.database.session() as db:  # the link and headers every reminder to this address carries
        contact = db.get(PatientContact, _contact(app, world).id)  # type: ignore[union-attr]
        link, headers = unsubscribe_headers(mail_config(app.state.settings), contact)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.removeprefix("http://127.0.0.1:8000")
    mail_provider = TestClient(app, follow_redirects=False)
    page = mail_provider.get(path)
    assert page.status_code == 200 and _contact(app, world).unsubscribed_at is None  # type: ignore[union-attr]
    response = mail_provider.post(
        path, content=b"List-Unsubscribe=One-Click", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200
    assert _contact(app, world).unsubscribed_at is not None  # type: ignore[union-attr]
    assert "We do not send you reminders yet" in patient.get("/patient").text


def test_a_forged_unsubscribe_link_is_refused_and_changes_nothing(
    app: FastAPI, patient: TestClient, world: World
) -> None:
    _save(patient, "ana@example.org")
    _verify(app)
    response = TestClient(app).post("/unsubscribe/eyJmb3JnZWQiOjF9.AAAA")
    assert response.status_code == 400
    assert _contact(app, world).unsubscribed_at is None  # type: ignore[union-attr]


def test_the_patient_can_stop_and_restart_their_reminders(app: FastAPI, patient: TestClient, world: World) -> None:
    _save(patient, "ana@example.org")
    _verify(app)
    token = csrf_token(patient, "/patient/reminders")
    assert patient.post("/patient/reminders/stop", data={"csrf_token": token}).status_code == 303
    assert "Stopped." in patient.get("/patient/reminders").text
    assert patient.post("/patient/reminders/start", data={"csrf_token": token}).status_code == 303
    assert _contact(app, world).unsubscribed_at is None  # type: ignore[union-attr]


def test_choosing_no_reminders_means_the_plan_promises_none(app: FastAPI, patient: TestClient, world: World) -> None:
    _save(patient, "ana@example.org", rules=[])
    _verify(app)
    assert "We do not send you reminders yet" in patient.get("/patient").text
    assert "No reminders chosen." in patient.get("/patient/reminders").text


def test_the_reminders_page_never_mentions_sms_while_no_provider_is_set(patient: TestClient) -> None:
    page = patient.get("/patient/reminders").text.lower()
    assert "sms" not in page and "text message" not in page


def test_a_spanish_speaking_patient_gets_the_page_and_the_links_in_spanish(
    app: FastAPI, patient: TestClient, world: World
) -> None:
    with app.state.database.session() as db:
        db.get(Patient, world.patients["a1"]).locale = "es"
    assert "Mis recordatorios" in patient.get("/patient/reminders").text
    _save(patient, "ana@example.org")
    page = TestClient(app).get(_link(app, "verify-email"))
    assert 'lang="es"' in page.text and "Confirmar mi correo electrónico" in page.text
