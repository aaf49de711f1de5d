"""The in-process mail loop: with it on, the running app queues a due reminder and hands it to a real SMTP
server by itself; with it off (or on PostgreSQL by default), nothing is sent from the app."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db.comms_models import OutboxMessage, PatientContact
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.outbox.mail_server import MailServer
from tests.web.web_world import FAST, FakeClock, TestClient, build_world


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def _app(settings_sqlite: Settings, clock: FakeClock, mail_server: MailServer, switch: str) -> FastAPI:
    settings = Settings(
        database_url=settings_sqlite.database_url,
        smtp_port=mail_server.port,
        smtp_timeout_seconds=5,
        mail_sender="Center A <reminders@center-a.example>",
        **{**FAST, "outbox_in_process": switch},
    )
    app = create_app(settings, clock=clock)
    world = build_world(app.state.database, settings)
    with app.state.database.session() as db:  # patient a1 confirmed an address and wants every reminder
        moment = datetime(2027, 2, 1, tzinfo=UTC)
        db.add(
            PatientContact(
                patient_id=world.patients["a1"],
                channel="email",
                address="ana@example.org",
                reminder_rules=["prepare", "day-before", "leave-soon"],
                verified_at=moment,
                created_at=moment,
                updated_at=moment,
            )
        )
    return app


def _wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds  # a wait for a background thread, not a measurement
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_running_app_sends_a_due_reminder_to_the_mail_server_by_itself(
    settings_sqlite: Settings, clock: FakeClock, mail_server: MailServer
) -> None:
    app = _app(settings_sqlite, clock, mail_server, "on")
    with TestClient(app):  # the lifespan starts the loop; its first pass runs at once
        assert _wait_for(lambda: len(mail_server.mailbox.received) >= 1), "no message reached the mail server"
    message = mail_server.mailbox.received[0]
    assert message["To"] == "ana@example.org"
    assert message["From"] == "Center A <reminders@center-a.example>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with app.state.database.session() as db:
        assert db.scalars(select(OutboxMessage.state)).all() == ["sent"]


def test_with_the_loop_off_the_app_sends_nothing(
    settings_sqlite: Settings, clock: FakeClock, mail_server: MailServer
) -> None:
    app = _app(settings_sqlite, clock, mail_server, "off")
    with TestClient(app) as client:
        assert client.get("/api/health").status_code == 200
    assert mail_server.mailbox.received == []


def test_the_loop_is_on_by_default_for_sqlite_and_off_for_postgresql() -> None:
    assert Settings(database_url="sqlite:///x.sqlite3").sends_in_process
    assert not Settings(database_url="postgresql+psycopg://db/msinfusion").sends_in_process
    assert Settings(database_url="postgresql+psycopg://db/msinfusion", outbox_in_process="on").sends_in_process
