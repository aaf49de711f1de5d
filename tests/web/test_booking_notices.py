"""Staff book, move and cancel visits and the patient is told: a notice in the outbox in the same
transaction, with the visit's calendar file (a higher SEQUENCE on a move, STATUS:CANCELLED on a
cancellation), for the visit's own prescription even when the patient holds several."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from msinfusion.outbox import deliver_due
from msinfusion.outbox.config import mail_config
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.outbox.mail_server import MailServer
from tests.web.booking_helpers import add_address, book_regimen, messages, post, visits
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import FakeClock, TestClient, World, build_world, sign_in


@pytest.fixture
def booked(settings: Settings, clock: FakeClock) -> Iterator[tuple[FastAPI, TestClient, World]]:
    """Center A open on weekdays, patient a1 with a confirmed address, a scheduler signed in."""
    app = create_app(settings, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(app.state.database, app.state.settings)
        open_weekdays(app.state.database, world)
        add_address(app, world)
        sign_in(client, "scheduler_a")
        yield app, client, world


def _sequence(ics: bytes | None) -> int:
    assert ics is not None
    found = re.search(rb"SEQUENCE:(\d+)", ics)
    assert found is not None
    return int(found.group(1))


def test_booking_a_regimen_tells_the_patient_about_each_visit_with_its_calendar_file(
    booked: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = booked
    proposal = book_regimen(client, world.prescriptions["a1"])
    notices = messages(app)
    assert len(notices) == len(proposal) > 1
    assert all(n.recipient == "ana@example.org" and n.idempotency_key.startswith("notice:booked:") for n in notices)
    assert all(n.attachment is not None and b"STATUS:CONFIRMED" in n.attachment for n in notices)
    assert "booked a visit for you" in notices[0].body_text


def test_moving_a_visit_tells_the_old_time_and_sends_a_file_that_outranks_the_first(
    booked: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = booked
    rx = world.prescriptions["a1"]
    book_regimen(client, rx)
    first = visits(app, rx)[0]
    booked_notice = next(n for n in messages(app) if n.appointment_id == first.id)
    moved = post(
        client,
        f"/staff/appointments/{first.id}/move",
        {"day": first.day.isoformat(), "start": "15:00", "chair": "C02", "version": first.version},
    )
    assert moved.status_code == 303, moved.text  # type: ignore[attr-defined]
    notice = messages(app)[-1]
    assert notice.idempotency_key.startswith(f"notice:moved:appointment-{first.id}:")
    assert "is no longer booked for you" in notice.body_text
    assert _sequence(notice.attachment) > _sequence(booked_notice.attachment)
    assert notice.attachment is not None and b"UID:" in notice.attachment


def test_a_stale_version_is_refused_with_409_and_nothing_is_queued(booked: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = booked
    rx = world.prescriptions["a1"]
    book_regimen(client, rx)
    first = visits(app, rx)[0]
    before = len(messages(app))
    stale = post(
        client,
        f"/staff/appointments/{first.id}/move",
        {"day": first.day.isoformat(), "start": "15:00", "chair": "C02", "version": first.version + 5},
    )
    assert stale.status_code == 409  # type: ignore[attr-defined]
    cancel = post(client, f"/staff/appointments/{first.id}/cancel", {"reason": "asked", "version": first.version + 5})
    assert cancel.status_code == 409  # type: ignore[attr-defined]
    assert len(messages(app)) == before and visits(app, rx)[0].status == "booked"


def test_cancelling_a_visit_sends_a_calendar_cancellation(booked: tuple[FastAPI, TestClient, World]) -> None:
    app, client, world = booked
    rx = world.prescriptions["a1"]
    book_regimen(client, rx)
    first = visits(app, rx)[0]
    booked_notice = next(n for n in messages(app) if n.appointment_id == first.id)
    response = post(client, f"/staff/appointments/{first.id}/cancel", {"reason": "patient asked"})
    assert response.status_code == 303  # type: ignore[attr-defined]
    notice = messages(app)[-1]
    assert notice.idempotency_key.startswith(f"notice:cancelled:appointment-{first.id}:")
    assert notice.attachment is not None
    assert b"STATUS:CANCELLED" in notice.attachment and b"METHOD:CANCEL" in notice.attachment
    assert _sequence(notice.attachment) > _sequence(booked_notice.attachment)


def test_a_visit_of_a_second_prescription_is_told_from_its_own_plan(
    booked: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = booked
    added = post(
        client,
        f"/staff/patients/{world.patients['a1']}/prescriptions",
        {"therapy_id": "methylprednisolone", "start_date": "2027-03-15"},
    )
    assert added.status_code == 303  # type: ignore[attr-defined]
    book_regimen(client, world.prescriptions["a1"])  # the ocrelizumab regimen leads the plan
    page = client.get(f"/staff/patients/{world.patients['a1']}").text
    steroid = max(int(i) for i in re.findall(r"/staff/prescriptions/(\d+)/booking", page))
    before = len(messages(app))
    book_regimen(client, steroid)
    course = visits(app, steroid)
    notices = messages(app)[before:]
    assert course and len(notices) == len(course)  # each course day told, though another plan leads
    assert {n.appointment_id for n in notices} == {v.id for v in course}


def test_a_patient_without_an_address_gets_no_notice_and_the_change_still_saves(
    booked: tuple[FastAPI, TestClient, World],
) -> None:
    app, client, world = booked
    book_regimen(client, world.prescriptions["a2"])
    assert messages(app) == [] and visits(app, world.prescriptions["a2"])


def test_a_move_reaches_the_patients_mailbox_through_a_real_smtp_server(
    booked: tuple[FastAPI, TestClient, World], clock: FakeClock
) -> None:
    app, client, world = booked
    rx = world.prescriptions["a1"]
    book_regimen(client, rx)
    first = visits(app, rx)[0]
    moved = post(
        client, f"/staff/appointments/{first.id}/move", {"day": first.day.isoformat(), "start": "15:00", "chair": "C02"}
    )
    assert moved.status_code == 303  # type: ignore[attr-defined]
    server = MailServer()
    server.start()
    try:
        config = mail_config(app.state.settings, smtp_host="127.0.0.1", smtp_port=server.port, smtp_timeout_seconds=5)
        report = deliver_due(app.state.database, config, clock())
        subjects = [m["Subject"] for m in server.mailbox.received]
    finally:
        server.stop()
    assert len(report.sent) == len(subjects) >= 2
    assert any(s.startswith("Your infusion visit has moved to") for s in subjects)
    moved_mail = next(m for m in server.mailbox.received if m["Subject"].startswith("Your infusion visit has moved"))
    [attachment] = list(moved_mail.iter_attachments())
    ics = attachment.get_content()
    assert "SEQUENCE:" in (ics.decode() if isinstance(ics, bytes) else ics)
    assert moved_mail["To"] == "ana@example.org"
