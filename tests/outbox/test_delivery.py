"""The outbox sends each message at most once through a real SMTP server, retries, and drops what no longer applies."""

from __future__ import annotations

import dataclasses
import datetime
import threading

from sqlalchemy import func, select

from msinfusion.db import Database
from msinfusion.db.comms_models import OutboxMessage
from msinfusion.db.models import Appointment
from msinfusion.outbox import MailConfig, deliver_due
from msinfusion.outbox.contacts import unsubscribe
from msinfusion.outbox.producers import enqueue_due_reminders
from msinfusion.outbox.store import ABANDONED, NewMessage, claim_next, enqueue
from msinfusion.reminders.messages import RenderedMessage
from tests.outbox.conftest import VISIT_START, ZONE, build_world
from tests.outbox.mail_server import MailServer
from tests.outbox.world import World

DAY_BEFORE = VISIT_START - datetime.timedelta(days=1)  # 11:00 the day before: the day-before reminder is due
MINUTE = datetime.timedelta(minutes=1)


def rows(database: Database) -> list[OutboxMessage]:
    with database.session() as db:
        return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def only(database: Database) -> OutboxMessage:
    found = rows(database)
    assert len(found) == 1
    return found[0]


def test_a_due_reminder_arrives_once_with_text_html_and_the_visits_calendar_file(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    assert enqueue_due_reminders(database, config, DAY_BEFORE) == 1
    assert enqueue_due_reminders(database, config, DAY_BEFORE + MINUTE) == 0  # same key: a no-op
    report = deliver_due(database, config, DAY_BEFORE)
    assert len(report.sent) == 1
    assert deliver_due(database, config, DAY_BEFORE + 10 * MINUTE).sent == []
    assert len(mail_server.mailbox.received) == 1
    message = mail_server.mailbox.received[0]
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Reminder: your infusion visit on January 4, 2027"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "Your infusion is tomorrow" in text.get_content()
    assert "Your infusion is tomorrow" in html.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    ics = attachment.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "UID:p" in ics and "DTSTART;TZID=America/New_York:20270104T110000" in ics
    raw = mail_server.mailbox.raw[0].decode()
    assert "\nList-Unsubscribe: <https://riverside.example/unsubscribe/" in raw.replace("\r\n", "\n")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    row = only(database)
    assert (row.state, row.attempts, row.kind) == ("sent", 1, "reminder")
    assert row.sent_at == DAY_BEFORE


def test_a_spanish_speaking_patient_gets_the_reminder_in_spanish(
    database: Database, config: MailConfig, mail_server: MailServer
) -> None:
    build_world(database, locale="es")
    enqueue_due_reminders(database, config, DAY_BEFORE)
    deliver_due(database, config, DAY_BEFORE)
    [message] = mail_server.mailbox.received
    assert message["Subject"] == "Recordatorio: su cita de infusión el 4 de enero de 2027"
    assert message["Content-Language"] == "es"


def test_a_server_that_answers_451_is_retried_with_back_off_then_marked_failed(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    mail_server.mailbox.script = ["451 4.3.0 try again later"] * 3
    enqueue_due_reminders(database, config, DAY_BEFORE)
    assert len(deliver_due(database, config, DAY_BEFORE).retrying) == 1
    row = only(database)
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 1, DAY_BEFORE + 1 * MINUTE)
    assert deliver_due(database, config, DAY_BEFORE + 30 * datetime.timedelta(seconds=1)).retrying == []  # waits
    deliver_due(database, config, DAY_BEFORE + 1 * MINUTE)
    row = only(database)
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 2, DAY_BEFORE + 3 * MINUTE)  # doubled
    assert len(deliver_due(database, config, DAY_BEFORE + 3 * MINUTE).failed) == 1
    row = only(database)
    assert (row.state, row.attempts) == ("failed", 3)
    assert row.last_error is not None and "attempt 3: 451 4.3.0 try again later" in row.last_error
    assert mail_server.mailbox.data_commands == 3 and mail_server.mailbox.received == []
    assert deliver_due(database, config, DAY_BEFORE + 60 * MINUTE).sent == []


def test_a_server_that_answers_550_fails_at_once_with_the_reason(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    mail_server.mailbox.script = ["550 5.1.1 no such mailbox"]
    enqueue_due_reminders(database, config, DAY_BEFORE)
    assert len(deliver_due(database, config, DAY_BEFORE).failed) == 1
    row = only(database)
    assert (row.state, row.attempts) == ("failed", 1)
    assert row.last_error == "attempt 1: 550 5.1.1 no such mailbox"


def test_a_connection_dropped_before_the_server_accepted_is_retried_and_arrives_once(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    mail_server.mailbox.script = ["drop"]
    enqueue_due_reminders(database, config, DAY_BEFORE)
    assert len(deliver_due(database, config, DAY_BEFORE).retrying) == 1
    assert "closed the connection" in (only(database).last_error or "")
    assert len(deliver_due(database, config, DAY_BEFORE + MINUTE).sent) == 1
    assert len(mail_server.mailbox.received) == 1
    assert (only(database).state, only(database).attempts) == ("sent", 2)


def test_a_connection_dropped_after_the_server_accepted_counts_as_sent_and_is_never_resent(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    mail_server.mailbox.script = ["accept-then-drop"]
    enqueue_due_reminders(database, config, DAY_BEFORE)
    assert len(deliver_due(database, config, DAY_BEFORE).sent) == 1
    enqueue_due_reminders(database, config, DAY_BEFORE + MINUTE)
    deliver_due(database, config, DAY_BEFORE + 60 * MINUTE)
    assert mail_server.mailbox.data_commands == 1 and len(mail_server.mailbox.received) == 1


def test_an_unreachable_mail_server_is_retried_later(database: Database, world: World, config: MailConfig) -> None:
    closed = config.model_copy(update={"smtp_port": 1})
    enqueue_due_reminders(database, closed, DAY_BEFORE)
    assert len(deliver_due(database, closed, DAY_BEFORE).retrying) == 1
    assert "could not reach the mail server" in (only(database).last_error or "")


def test_a_reminder_for_a_visit_cancelled_after_it_was_queued_is_not_sent(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    enqueue_due_reminders(database, config, DAY_BEFORE)
    with database.session() as db:
        appointment = db.get(Appointment, world.appointment_id)
        assert appointment is not None
        appointment.status = "cancelled"
    assert len(deliver_due(database, config, DAY_BEFORE).cancelled) == 1
    assert (only(database).state, only(database).last_error) == ("cancelled", "the visit is now cancelled")
    assert enqueue_due_reminders(database, config, DAY_BEFORE + MINUTE) == 0
    assert mail_server.mailbox.received == []


def test_a_moved_visit_voids_its_old_reminder_and_gets_one_keyed_to_the_new_time(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    enqueue_due_reminders(database, config, DAY_BEFORE)
    later = VISIT_START + datetime.timedelta(days=2)
    with database.session() as db:
        appointment = db.get(Appointment, world.appointment_id)
        assert appointment is not None
        appointment.day, appointment.starts_at = later.date(), later
        appointment.ends_at = later + datetime.timedelta(hours=4)
    assert len(deliver_due(database, config, DAY_BEFORE).cancelled) == 1
    assert only(database).last_error == "the visit moved"
    new_day_before = later - datetime.timedelta(days=1)
    assert enqueue_due_reminders(database, config, new_day_before) == 1
    assert len(deliver_due(database, config, new_day_before).sent) == 1
    [message] = mail_server.mailbox.received
    assert "Wednesday, January 6, 2027" in (message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    keys = [r.idempotency_key for r in rows(database)]
    assert len(set(keys)) == 2 and "20270104T1600Z" in keys[0] and "20270106T1600Z" in keys[1]


def test_reminders_wait_for_the_end_of_quiet_hours(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    early = datetime.datetime(2027, 1, 4, 8, 30, tzinfo=ZONE)
    with database.session() as db:
        appointment = db.get(Appointment, world.appointment_id)
        assert appointment is not None
        appointment.starts_at, appointment.ends_at = early, early + datetime.timedelta(hours=4)
    assert enqueue_due_reminders(database, config, early - datetime.timedelta(hours=2)) == 0  # 6:30 is quiet
    assert enqueue_due_reminders(database, config, datetime.datetime(2027, 1, 4, 8, 0, tzinfo=ZONE)) == 1
    deliver_due(database, config, datetime.datetime(2027, 1, 4, 8, 0, tzinfo=ZONE))
    [message] = mail_server.mailbox.received
    assert "Your infusion is today at 8:30" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_after_one_click_unsubscribe_nothing_more_is_sent(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    enqueue_due_reminders(database, config, DAY_BEFORE)
    url = only(database).headers["List-Unsubscribe"].strip("<>")
    with database.session() as db:
        unsubscribe(db, config.signing_secret, url.rsplit("/", 1)[1], DAY_BEFORE)
    assert len(deliver_due(database, config, DAY_BEFORE).cancelled) == 1
    assert only(database).last_error == "the address was unsubscribed"
    assert enqueue_due_reminders(database, config, VISIT_START - datetime.timedelta(hours=2)) == 0
    assert mail_server.mailbox.received == []


def test_a_message_left_sending_by_a_stopped_sender_is_marked_failed_not_resent(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    enqueue_due_reminders(database, config, DAY_BEFORE)
    with database.session() as db:
        assert claim_next(db, DAY_BEFORE) is not None  # a sender that stopped right after claiming
    report = deliver_due(database, config, DAY_BEFORE + config.sending_lease + MINUTE)
    assert report.abandoned == 1
    assert (only(database).state, only(database).last_error) == ("failed", ABANDONED)
    assert mail_server.mailbox.received == []


def _message(key: str) -> NewMessage:
    content = RenderedMessage(subject=f"key {key}", text="hello\n", html="<p>hello</p>")
    return NewMessage(key=key, kind="check-notice", recipient=f"{key}@example.org", language="en", content=content)


def test_enqueueing_one_key_from_many_threads_at_once_stores_it_once(database: Database) -> None:
    barrier = threading.Barrier(8)
    outcomes: list[bool] = []

    def attempt() -> None:
        barrier.wait()
        with database.session() as db:
            outcomes.append(enqueue(db, _message("same"), DAY_BEFORE))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 7 + [True]
    with database.session() as db:
        assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_two_senders_racing_send_each_key_once(database: Database, config: MailConfig, mail_server: MailServer) -> None:
    """On PostgreSQL (FOR UPDATE SKIP LOCKED) and on SQLite (guarded transition under BEGIN IMMEDIATE)."""
    keys = [f"k{i:02d}" for i in range(40)]
    with database.session() as db:
        for key in keys:
            enqueue(db, _message(key), DAY_BEFORE)
    barrier = threading.Barrier(2)
    reports = []

    def sender() -> None:
        barrier.wait()
        reports.append(deliver_due(database, config, DAY_BEFORE))

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    subjects = sorted(m["Subject"] for m in mail_server.mailbox.received)
    assert subjects == sorted(f"key {k}" for k in keys)
    sent = [row_id for report in reports for row_id in report.sent]
    assert len(sent) == len(set(sent)) == 40
    assert all(r.state == "sent" and r.attempts == 1 for r in rows(database))
    assert all(dataclasses.asdict(r)["failed"] == [] for r in reports)
    if database.dialect == "postgresql":  # SKIP LOCKED lets both senders work at once; SQLite takes turns
        assert all(report.sent for report in reports)
