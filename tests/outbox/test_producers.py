"""Notices for staff changes and check answers, and the e-mail address check, end to end through the mail server."""

from __future__ import annotations

import datetime
import re

import pytest
from sqlalchemy import select

from msinfusion.db import Database
from msinfusion.db.comms_models import OutboxMessage, PatientContact
from msinfusion.db.models import Appointment, CheckAnswers
from msinfusion.outbox import MailConfig, deliver_due
from msinfusion.outbox.contacts import (
    ContactProblem,
    confirm_email,
    normalised_email,
    patient_reminder_channels,
    set_email,
    unsubscribe,
)
from msinfusion.outbox.producers import (
    enqueue_check_notice,
    enqueue_due_reminders,
    enqueue_verification,
    enqueue_visit_notice,
)
from msinfusion.reminders import ReminderChannel
from tests.outbox.conftest import VISIT_START
from tests.outbox.mail_server import MailServer
from tests.outbox.world import World

NOW = datetime.datetime(2026, 12, 20, 15, 0, tzinfo=datetime.UTC)


def notice(database: Database, world: World, config: MailConfig, change: str, **kw: object) -> bool:
    with database.session() as db:
        appointment = db.get(Appointment, world.appointment_id)
        assert appointment is not None
        return enqueue_visit_notice(db, appointment, change, config, NOW, **kw)  # type: ignore[arg-type]


def move(database: Database, world: World, to: datetime.datetime) -> None:
    with database.session() as db:
        appointment = db.get(Appointment, world.appointment_id)
        assert appointment is not None
        appointment.day, appointment.starts_at, appointment.ends_at = to.date(), to, to + datetime.timedelta(hours=4)


def test_a_booked_visit_is_told_once_with_its_calendar_file(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    assert notice(database, world, config, "booked") is True
    assert notice(database, world, config, "booked") is False
    assert len(deliver_due(database, config, NOW).sent) == 1
    [message] = mail_server.mailbox.received
    assert message["Subject"] == "Your infusion visit is booked for January 4, 2027"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "infusion-visit.ics"


def test_a_moved_visit_is_told_with_the_old_time_and_a_stale_booking_notice_is_dropped(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    notice(database, world, config, "booked")
    later = VISIT_START + datetime.timedelta(days=1, hours=2)
    move(database, world, later)
    assert notice(database, world, config, "moved", previous_start=VISIT_START) is True
    report = deliver_due(database, config, NOW)
    assert (len(report.cancelled), len(report.sent)) == (1, 1)
    [message] = mail_server.mailbox.received
    assert message["Subject"] == "Your infusion visit has moved to January 5, 2027"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "When: Tuesday, January 5, 2027 at 1:00\u202fPM" in text
    assert "The old time, Monday, January 4, 2027 at 11:00\u202fAM, is no longer booked for you." in text


def test_a_cancelled_visit_is_told_with_a_calendar_cancellation(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    with database.session() as db:
        appointment = db.get(Appointment, world.appointment_id)
        assert appointment is not None
        appointment.status = "cancelled"
    assert notice(database, world, config, "cancelled") is True
    deliver_due(database, config, NOW)
    [message] = mail_server.mailbox.received
    assert message["Subject"] == "Your infusion visit on January 4, 2027 is cancelled"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Please call the center to find a new time." in text
    assert "open the attached file to remove it" in text
    [attachment] = list(message.iter_attachments())
    ics = attachment.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "METHOD:CANCEL" in ics and "STATUS:CANCELLED" in ics
    assert f"UID:p{world.patient_id}-ocrelizumab-iv-dose-1@msinfusion" in ics
    assert "DTSTART;TZID=America/New_York:20270104T110000" in ics


def test_a_patient_without_a_verified_address_gets_no_notice(
    database: Database, world: World, config: MailConfig
) -> None:
    with database.session() as db:
        contact = db.get(PatientContact, world.contact_id)
        assert contact is not None
        contact.verified_at = None
    assert notice(database, world, config, "booked") is False


def _check(database: Database, world: World, outcome: str) -> int:
    with database.session() as db:
        answers = CheckAnswers(
            patient_id=world.patient_id,
            appointment_id=world.appointment_id,
            answers={"antibiotics": True},
            outcome=outcome,
            submitted_at=NOW,
        )
        db.add(answers)
        db.flush()
        return answers.id


def test_check_answers_that_need_a_call_are_e_mailed_to_the_center_without_the_answers(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    check_id = _check(database, world, "call-center")
    with database.session() as db:
        check = db.get(CheckAnswers, check_id)
        assert check is not None
        assert enqueue_check_notice(db, check, config, NOW) is True
        assert enqueue_check_notice(db, check, config, NOW) is False
    deliver_due(database, config, NOW)
    [message] = mail_server.mailbox.received
    assert message["To"] == "nurses@riverside.example"
    assert message["Subject"] == "Pre-infusion check needs a call: patient P001"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "for the visit on 2027-01-04" in text and "antibiotic" not in text.lower()
    assert f"https://riverside.example/staff/patients/{world.patient_id}" in text


def test_check_answers_that_need_no_call_send_nothing(database: Database, world: World, config: MailConfig) -> None:
    check_id = _check(database, world, "proceed")
    with database.session() as db:
        check = db.get(CheckAnswers, check_id)
        assert check is not None
        assert enqueue_check_notice(db, check, config, NOW) is False
        no_address = config.model_copy(update={"center_notice_address": ""})
        check.outcome = "do-not-come"
        assert enqueue_check_notice(db, check, no_address, NOW) is False


def test_a_new_address_is_verified_from_the_link_in_the_e_mail_then_gets_reminders(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    with database.session() as db:
        contact = set_email(db, world.patient_id, " Ana.New@Example.ORG ", ["day-before"], NOW)
        assert (contact.address, contact.verified_at) == ("Ana.New@example.org", None)
        assert patient_reminder_channels(db, world.patient_id) == []
        assert enqueue_verification(db, contact, config, NOW) is True
    deliver_due(database, config, NOW)
    [message] = mail_server.mailbox.received
    assert message["Subject"] == "Please confirm your e-mail address"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    token = re.search(r"https://riverside\.example/verify-email/(\S+)", text)
    assert token is not None and "works for 48 hours" in text
    with database.session() as db:
        assert confirm_email(db, config.signing_secret, token.group(1), NOW).verified_at == NOW
        expected = [ReminderChannel(channel="email", rules=("day-before",))]
        assert patient_reminder_channels(db, world.patient_id) == expected
    assert enqueue_due_reminders(database, config, VISIT_START - datetime.timedelta(days=1)) == 1


def test_a_verification_link_stops_working_when_it_expires_or_the_address_changes(
    database: Database, world: World, config: MailConfig, mail_server: MailServer
) -> None:
    with database.session() as db:
        contact = set_email(db, world.patient_id, "first@example.org", ["prepare"], NOW)
        enqueue_verification(db, contact, config, NOW)
    deliver_due(database, config, NOW)
    text = mail_server.mailbox.received[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    token = text.split("/verify-email/")[1].split()[0]
    with database.session() as db, pytest.raises(ContactProblem, match="expired"):
        confirm_email(db, config.signing_secret, token, NOW + datetime.timedelta(hours=48))
    with database.session() as db:
        set_email(db, world.patient_id, "second@example.org", ["prepare"], NOW)
    with database.session() as db, pytest.raises(ContactProblem, match="no longer on file"):
        confirm_email(db, config.signing_secret, token, NOW)


def test_unsubscribing_twice_changes_nothing_and_a_forged_link_is_refused(
    database: Database, world: World, config: MailConfig
) -> None:
    enqueue_due_reminders(database, config, VISIT_START - datetime.timedelta(days=1))
    with database.session() as db:
        row = db.scalars(select(OutboxMessage)).one()
        token = row.headers["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
        first = unsubscribe(db, config.signing_secret, token, NOW).unsubscribed_at
        assert unsubscribe(db, config.signing_secret, token, NOW + datetime.timedelta(days=1)).unsubscribed_at == first
        with pytest.raises(ContactProblem, match="not valid"):
            unsubscribe(db, "another-secret", token, NOW)


@pytest.mark.parametrize("bad", ["", "ana", "ana@", "@example.org", "ana @example.org", "a@b@c.org", "ana@example"])
def test_an_address_that_is_not_one_is_refused_in_plain_words(bad: str) -> None:
    with pytest.raises(ContactProblem, match=r"like name@example\.com"):
        normalised_email(bad)


def test_only_known_reminders_can_be_chosen(database: Database, world: World) -> None:
    with database.session() as db, pytest.raises(ContactProblem, match="Unknown reminder: hourly"):
        set_email(db, world.patient_id, "ana@example.org", ["hourly"], NOW)
