"""Notices: accepting a day schedule tells each patient their visit's time (booked or moved), and check
answers that need a call tell the center; both in the transaction that made the change."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db.comms_models import OutboxMessage, PatientContact
from msinfusion.db.models import Appointment, CheckAnswers
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.test_staff_schedule import DAY, add_nurses, post, run_and_wait, signed_in
from tests.web.web_world import FAST, FakeClock, TestClient, World, build_world, csrf_token, sign_in


@pytest.fixture
def app(settings_sqlite: Settings, clock: FakeClock) -> FastAPI:
    settings = Settings(
        database_url=settings_sqlite.database_url,
        solver_time_limit_seconds=1,
        center_notice_address="nurses@center-a.example",
        **FAST,
    )
    return create_app(settings, clock=clock)


@pytest.fixture
def world(app: FastAPI) -> World:
    world = build_world(app.state.database, app.state.settings)
    add_nurses(app, world)
    with app.state.database.session() as db:  # patient a1 has confirmed an address; a2 has none
        moment = datetime(2027, 2, 1, tzinfo=UTC)
        db.add(
            PatientContact(
                patient_id=world.patients["a1"],
                channel="email",
                address="ana@example.org",
                reminder_rules=["day-before"],
                verified_at=moment,
                created_at=moment,
                updated_at=moment,
            )
        )
    return world


def _messages(app: FastAPI, kind: str) -> list[OutboxMessage]:
    with app.state.database.session() as db:
        rows = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).all()
        db.expunge_all()
        return list(rows)


def test_accepting_a_schedule_tells_each_patient_with_an_address_their_visit_time(app: FastAPI, world: World) -> None:
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    assert post(client, "/staff/schedule/accept", job_id=job_id).status_code == 303
    notices = _messages(app, "visit-notice")
    assert [n.recipient for n in notices] == ["ana@example.org"]  # a2 has no address: nothing queued
    assert notices[0].idempotency_key.startswith(f"notice:booked:appointment-{world.appointments['a1']}:")
    assert "booked a visit for you" in notices[0].body_text
    assert notices[0].attachment is not None and b"BEGIN:VEVENT" in notices[0].attachment


def test_a_moved_visit_once_accepted_again_gets_a_moved_notice_naming_the_old_time(app: FastAPI, world: World) -> None:
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    post(client, "/staff/schedule/accept", job_id=job_id)
    key = f"A{world.appointments['a1']}"
    assignments = client.get(f"/api/schedule?day={DAY}").json()["assignments"]
    visit = next(a for a in assignments if a["appointment"] == key)
    chair = "C02" if visit["chair"] == "C01" else "C01"
    start = "14:00" if visit["start"] != "14:00" else "15:00"
    moved = post(client, "/staff/schedule/move", job_id=job_id, appointment=key, chair=chair, start=start)
    assert moved.status_code == 303, moved.text
    assert len(_messages(app, "visit-notice")) == 1  # a move kept on the run is not yet the patient's time
    assert post(client, "/staff/schedule/accept", job_id=job_id).status_code == 303
    notices = _messages(app, "visit-notice")
    assert [n.idempotency_key.split(":")[1] for n in notices] == ["booked", "moved"]
    assert "is no longer booked for you" in notices[1].body_text


def test_a_refused_accept_queues_no_notice(app: FastAPI, world: World) -> None:
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    with app.state.database.session() as db:
        db.get_one(Appointment, world.appointments["a2"]).status = "cancelled"
    assert post(client, "/staff/schedule/accept", job_id=job_id).status_code == 409
    assert _messages(app, "visit-notice") == []


def test_check_answers_that_need_a_call_e_mail_the_center_and_others_do_not(app: FastAPI, world: World) -> None:
    patient = TestClient(app, follow_redirects=False)
    assert sign_in(patient, "patient_a1").status_code == 303
    page = patient.get("/patient/check").text
    answers = dict.fromkeys(sorted(set(re.findall(r'name="(q-[a-z0-9-]+)"', page))), "no")
    answers["q-infection"] = "yes"
    patient.post("/patient/check", data={"csrf_token": csrf_token(patient, "/patient/check"), **answers})
    with app.state.database.session() as db:
        outcomes = {row.id: row.outcome for row in db.scalars(select(CheckAnswers))}
    notices = _messages(app, "check-notice")
    assert [n.recipient for n in notices] == ["nurses@center-a.example"]
    calls = [f"check-notice:{i}" for i, outcome in outcomes.items() if outcome == "call-center"]
    assert [n.idempotency_key for n in notices] == calls
    assert "PA1" in notices[0].body_text


def test_staff_see_the_delivery_state_of_their_patients_messages_only(app: FastAPI, world: World) -> None:
    client = signed_in(app, "scheduler_a")
    post(client, "/staff/schedule/accept", job_id=run_and_wait(app, client))
    page = client.get("/staff/messages")
    assert page.status_code == 200
    assert "Patient A1</a> (PA1)" in page.text and "Visit booked, moved or cancelled" in page.text
    assert "Pending" in page.text
    assert "ana@example.org" not in signed_in(app, "scheduler_b").get("/staff/messages").text
    assert "No messages in state" in client.get("/staff/messages?state=failed").text
    assert client.get("/staff/messages?state=lost").status_code == 422
