"""The send step: take due messages from the outbox one at a time, check they still apply, send, record.

:func:`deliver_due` is a plain function a job runner (or ``msinfusion reminders run``) calls with a
:class:`~msinfusion.db.Database`, a :class:`MailConfig` and the time. Each message goes through three
short transactions, so no database lock is held while talking to the mail server:

1. claim it (``pending`` -> ``sending``, attempt counted) and check, right then, that it still applies:
   the visit is still booked at the time the message was made for (or still cancelled, for a
   cancellation notice), and the address has not unsubscribed; otherwise it ends ``cancelled``;
2. send it over SMTP (no transaction open);
3. record the outcome, guarded by the claim: ``sent``; or ``pending`` again after an exponential
   back-off; or ``failed`` with the reason once refused for good or out of attempts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy.orm import Session

from msinfusion.db import Database
from msinfusion.db.comms_models import OutboxMessage, PatientContact
from msinfusion.db.models import Appointment
from msinfusion.outbox import store
from msinfusion.outbox.config import MailConfig
from msinfusion.outbox.smtp import DeliveryFailure, PermanentFailure, build_email, send_email

Sender = Callable[[MailConfig, EmailMessage], None]


@dataclass
class DeliveryReport:
    """What one pass did, by outbox row id."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    abandoned: int = 0


def void_reason(db: Session, row: OutboxMessage) -> str | None:
    """Why the message no longer applies, or None when it still does."""
    if row.contact_id is not None and row.kind != "verify-email":
        contact = db.get(PatientContact, row.contact_id)
        if contact is None or contact.unsubscribed_at is not None:
            return "the address was unsubscribed"
        if contact.address != row.recipient:
            return "the patient changed their address"
    if row.appointment_id is None or row.visit_status is None:
        return None
    appointment = db.get(Appointment, row.appointment_id, populate_existing=True)
    if appointment is None:
        return "the visit no longer exists"
    if appointment.status != row.visit_status:
        return f"the visit is now {appointment.status}"
    if row.visit_status == "booked" and (appointment.day, appointment.starts_at) != (
        row.visit_day,
        row.visit_starts_at,
    ):
        return "the visit moved"
    return None


def deliver_one(
    database: Database, config: MailConfig, now: datetime.datetime, send: Sender = send_email
) -> tuple[int, str] | None:
    """Claim, check, send and record one due message; ``(row id, new state)``, or None when none is due."""
    with database.session() as db:
        row = store.claim_next(db, now)
        if row is None:
            return None
        row_id, token = row.id, row.claim_token or ""
        reason = void_reason(db, row)
        if reason is not None:
            store.mark_cancelled(db, row_id, token, now, reason)
            return row_id, "cancelled"
        email = build_email(row, config, now)
        attempts = row.attempts
    try:
        send(config, email)
    except DeliveryFailure as exc:
        error = str(exc)[:1000]
        with database.session() as db:
            if isinstance(exc, PermanentFailure) or attempts >= config.max_attempts:
                store.mark_failed(db, row_id, token, now, f"attempt {attempts}: {error}")
                return row_id, "failed"
            store.mark_retry(db, row_id, token, now, now + config.retry_delay(attempts), f"attempt {attempts}: {error}")
            return row_id, "pending"
    with database.session() as db:
        store.mark_sent(db, row_id, token, now)
    return row_id, "sent"


def deliver_due(
    database: Database,
    config: MailConfig,
    now: datetime.datetime,
    *,
    limit: int = 500,
    send: Sender = send_email,
) -> DeliveryReport:
    """Send every message due at ``now`` (at most ``limit``), one at a time; returns what happened.

    A message that fails temporarily gets its next attempt after the back-off, so it is not retried
    again in this pass.
    """
    report = DeliveryReport()
    with database.session() as db:
        report.abandoned = store.fail_abandoned(db, now, config.sending_lease)
    buckets = {"sent": report.sent, "pending": report.retrying, "failed": report.failed, "cancelled": report.cancelled}
    for _ in range(limit):
        outcome = deliver_one(database, config, now, send)
        if outcome is None:
            break
        row_id, state = outcome
        buckets[state].append(row_id)
    return report
