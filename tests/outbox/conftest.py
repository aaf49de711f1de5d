"""Fixtures for the outbox tests: a migrated database on SQLite and PostgreSQL (``db_url``, tests/conftest.py),
a world with a patient and a booked visit, and a real SMTP server (aiosmtpd) the sender talks to.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from msinfusion.db import Database
from msinfusion.db.comms_models import PatientContact
from msinfusion.db.models import Appointment, Center, Patient, Prescription, User
from msinfusion.outbox import MailConfig
from tests.outbox.mail_server import MailServer
from tests.outbox.world import World

ZONE = ZoneInfo("America/New_York")
VISIT_START = datetime.datetime(2027, 1, 4, 11, 0, tzinfo=ZONE)


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """An open database on ``db_url`` (tests/conftest.py): migrated and empty, once on each back-end."""
    database = Database.connect(db_url)
    yield database
    database.dispose()


def build_world(database: Database, address: str = "ana@example.org", locale: str = "en") -> World:
    """A center, a patient on ocrelizumab with dose 1 booked at 11:00 on 2027-01-04, and a verified address."""
    created = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    with database.session() as db:
        center = Center(name="Riverside Infusion Center", timezone="America/New_York", max_patients_per_nurse=4)
        db.add(center)
        db.flush()
        staff = User(
            username="scheduler",
            display_name="Sam Scheduler",
            password_hash="x",
            role="scheduler",
            center_id=center.id,
            password_changed_at=created,
            created_at=created,
        )
        patient = Patient(center_id=center.id, reference="P001", display_name="Ana Torres", card={}, locale=locale)
        db.add_all([staff, patient])
        db.flush()
        prescription = Prescription(
            patient_id=patient.id,
            therapy_id="ocrelizumab-iv",
            start_date=VISIT_START.date(),
            options={},
            prescribed_by=staff.id,
            created_at=created,
        )
        db.add(prescription)
        db.flush()
        appointment = Appointment(
            center_id=center.id,
            patient_id=patient.id,
            prescription_id=prescription.id,
            dose_index=1,
            treatment="ocrelizumab-300",
            day=VISIT_START.date(),
            starts_at=VISIT_START,
            ends_at=VISIT_START + datetime.timedelta(hours=4),
        )
        contact = PatientContact(
            patient_id=patient.id,
            channel="email",
            address=address,
            reminder_rules=["prepare", "day-before", "leave-soon"],
            verified_at=created,
            created_at=created,
            updated_at=created,
        )
        db.add_all([appointment, contact])
        db.flush()
        return World(center.id, patient.id, appointment.id, contact.id, staff.id)


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def config(mail_server: MailServer) -> MailConfig:
    return MailConfig(
        smtp_host="127.0.0.1",
        smtp_port=mail_server.port,
        smtp_timeout_seconds=5,
        sender="Riverside Infusion Center <reminders@riverside.example>",
        public_url="https://riverside.example",
        center_notice_address="nurses@riverside.example",
        signing_secret="test-secret",
        max_attempts=3,
        retry_base_seconds=60,
        retry_max_seconds=600,
    )
