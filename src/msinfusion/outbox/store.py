"""The outbox table's transitions: enqueue once per key, claim safely, and record each outcome.

Every function takes a :class:`~sqlalchemy.orm.Session` inside the caller's transaction, so a visit
change and its notice commit together (a transactional outbox). The state machine is in
:mod:`msinfusion.db.comms_models`; each transition here is a guarded ``UPDATE`` (it names the state it
leaves, and for a claimed row the claim token), so two runners can never both move one row.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from msinfusion.db.comms_models import OutboxMessage
from msinfusion.db.models import Patient
from msinfusion.reminders.messages import RenderedMessage


class NewMessage(BaseModel):
    """A message to enqueue: its key, recipient, words, attachment, and the visit it depends on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    kind: str
    recipient: str
    channel: str = "email"
    language: str
    content: RenderedMessage
    headers: dict[str, str] = {}
    attachment_name: str | None = None
    attachment: bytes | None = None
    patient_id: int | None = None
    contact_id: int | None = None
    appointment_id: int | None = None
    visit_status: str | None = None
    visit_day: datetime.date | None = None
    visit_starts_at: datetime.datetime | None = None


def enqueue(db: Session, message: NewMessage, now: datetime.datetime) -> bool:
    """Add the message unless its key is already in the outbox; True when it was added.

    ``INSERT ... ON CONFLICT DO NOTHING`` on the unique key: a second enqueue is a no-op, also when
    two runners enqueue the same key at the same moment on PostgreSQL.
    """
    values: dict[str, Any] = {
        "idempotency_key": message.key,
        "kind": message.kind,
        "patient_id": message.patient_id,
        "contact_id": message.contact_id,
        "appointment_id": message.appointment_id,
        "visit_status": message.visit_status,
        "visit_day": message.visit_day,
        "visit_starts_at": message.visit_starts_at,
        "recipient": message.recipient,
        "channel": message.channel,
        "language": message.language,
        "subject": message.content.subject,
        "body_text": message.content.text,
        "body_html": message.content.html,
        "headers": dict(message.headers),
        "attachment_name": message.attachment_name,
        "attachment": message.attachment,
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    # RETURNING, not rowcount: psycopg does not report a row count for INSERT ... ON CONFLICT here.
    return db.execute(statement).scalar() is not None


def claim_next(db: Session, now: datetime.datetime) -> OutboxMessage | None:
    """Move the oldest due pending message to ``sending`` for this caller, or None when none is due.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so concurrent runners take different rows. SQLite drops
    ``FOR UPDATE``; there every write transaction starts with ``BEGIN IMMEDIATE`` (one writer at a
    time) and the guarded ``UPDATE ... WHERE state = 'pending'`` decides. The attempt is counted here,
    before sending, so a crash mid-send still counts.
    """
    candidate = db.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if candidate is None:
        return None
    token = secrets.token_hex(16)
    result: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(OutboxMessage)
        .where(OutboxMessage.id == candidate, OutboxMessage.state == "pending")
        .values(
            state="sending",
            attempts=OutboxMessage.attempts + 1,
            claim_token=token,
            claimed_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    row = db.get(OutboxMessage, candidate, populate_existing=True)
    assert row is not None
    return row


def _finish(db: Session, row_id: int, token: str, now: datetime.datetime, **values: Any) -> bool:
    result: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.state == "sending", OutboxMessage.claim_token == token)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_sent(db: Session, row_id: int, token: str, now: datetime.datetime) -> bool:
    """sending -> sent (the mail server accepted the message)."""
    return _finish(db, row_id, token, now, state="sent", sent_at=now, last_error=None, claim_token=None)


def mark_retry(db: Session, row_id: int, token: str, now: datetime.datetime, at: datetime.datetime, error: str) -> bool:
    """sending -> pending, to be tried again at ``at``."""
    return _finish(db, row_id, token, now, state="pending", next_attempt_at=at, last_error=error, claim_token=None)


def mark_failed(db: Session, row_id: int, token: str, now: datetime.datetime, error: str) -> bool:
    """sending -> failed, with the reason (kept for staff)."""
    return _finish(db, row_id, token, now, state="failed", last_error=error, claim_token=None)


def mark_cancelled(db: Session, row_id: int, token: str, now: datetime.datetime, reason: str) -> bool:
    """sending -> cancelled: the message no longer applies (visit moved or cancelled, address stopped)."""
    return _finish(db, row_id, token, now, state="cancelled", last_error=reason, claim_token=None)


ABANDONED = "outcome unknown: the sender stopped while sending; not retried, so the patient never gets it twice"


def fail_abandoned(db: Session, now: datetime.datetime, lease: datetime.timedelta) -> int:
    """Mark failed every message left ``sending`` longer than ``lease``; returns how many.

    The mail server may have accepted such a message before the sender stopped, so sending it again
    could deliver it twice: at most once wins over at least once.
    """
    result: CursorResult[Any] = db.execute(  # type: ignore[assignment]
        update(OutboxMessage)
        .where(OutboxMessage.state == "sending", OutboxMessage.claimed_at < now - lease)
        .values(state="failed", last_error=ABANDONED, claim_token=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def center_messages(
    db: Session, center_id: int, *, state: str | None = None, limit: int = 100
) -> list[tuple[OutboxMessage, Patient]]:
    """Delivery state for staff: the newest messages about one center's patients, with the patient."""
    query = (
        select(OutboxMessage, Patient)
        .join(Patient, Patient.id == OutboxMessage.patient_id)
        .where(Patient.center_id == center_id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return [(message, patient) for message, patient in db.execute(query).all()]
