"""What patient communications store: a patient's contact addresses with their reminder choices, and the outbox.

Kept apart from :mod:`msinfusion.db.models` like :mod:`msinfusion.db.patient_models`; the classes share
that module's ``Base`` (metadata and naming convention), and ``msinfusion.db`` imports this module.

The outbox is the one place a message exists before it is sent. Its idempotency key is unique, so a
message is enqueued at most once whatever the number of runners; its state moves only forward::

    pending --claim--> sending --accepted--> sent
       ^                  |--temporary failure, attempts left--> pending (next_attempt_at later)
       |                  |--permanent failure or no attempts left--> failed
       |                  '--visit cancelled/moved, address unsubscribed--> cancelled
       '-- (enqueue)

A row left in ``sending`` by a runner that stopped mid-send is never sent again automatically (the mail
server may already have it): it is marked failed with "outcome unknown" for staff to look at.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from msinfusion.db.models import Base

CHANNELS = ("email", "sms")
OUTBOX_STATES = ("pending", "sending", "sent", "failed", "cancelled")
MESSAGE_KINDS = ("reminder", "visit-notice", "check-notice", "verify-email")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PatientContact(Base):
    """A patient's address on one channel, whether it is verified, and the reminders they chose on it.

    Reminders go only to a verified address that has not unsubscribed; ``reminder_rules`` lists the
    center's reminder ids the patient wants here (empty: none).
    """

    __tablename__ = "patient_contacts"
    __table_args__ = (
        UniqueConstraint("patient_id", "channel"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(320))
    reminder_rules: Mapped[list[str]] = mapped_column(default=list)
    verified_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class OutboxMessage(Base):
    """One message to send, rendered in full, with its delivery state (see the module docstring)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(_in("state", OUTBOX_STATES), name="state"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("kind", MESSAGE_KINDS), name="kind"),
        CheckConstraint("attempts >= 0", name="attempts"),
        Index("ix_outbox_messages_state_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("patient_contacts.id"))
    # The visit the message is about, as it was when the message was made; checked again before sending.
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    visit_status: Mapped[str | None] = mapped_column(String(16))
    visit_day: Mapped[date | None] = mapped_column(Date)
    visit_starts_at: Mapped[datetime | None]
    recipient: Mapped[str] = mapped_column(String(320))
    channel: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
