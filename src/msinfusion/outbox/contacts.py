"""A patient's e-mail address: add it, confirm it from the signed link, stop messages from the signed link.

The web pages (add and verify an address, choose reminders, the one-click unsubscribe route) call these;
each takes the caller's session and ``now``. An address gets reminders only once it is verified and
while it is not unsubscribed, and only the reminders the patient chose (:func:`reminder_channels`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.comms_models import PatientContact
from msinfusion.reminders.rules import RULE_IDS, ReminderChannel, RuleId
from msinfusion.reminders.tokens import TokenError, verify_token

# Deliberately loose (one @, a dot in the domain, no spaces): the verification e-mail is the real check.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


class ContactProblem(ValueError):
    """An address or a link that cannot be used, in words the patient can act on."""


def normalised_email(address: str) -> str:
    """The address trimmed, with a lower-case domain; raises :class:`ContactProblem` when it is not one."""
    address = address.strip()
    if len(address) > 320 or not _EMAIL.match(address):
        raise ContactProblem("Enter an e-mail address like name@example.com.")
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def set_email(
    db: Session, patient_id: int, address: str, rules: Sequence[str], now: datetime.datetime
) -> PatientContact:
    """Store (or replace) the patient's e-mail address, unverified, with the reminders they chose.

    A new address starts unverified and subscribed; send it :func:`msinfusion.outbox.producers.enqueue_verification`.
    """
    unknown = set(rules) - set(RULE_IDS)
    if unknown:
        raise ContactProblem(f"Unknown reminder: {', '.join(sorted(unknown))}.")
    address = normalised_email(address)
    contact = db.scalars(
        select(PatientContact).where(PatientContact.patient_id == patient_id, PatientContact.channel == "email")
    ).first()
    if contact is None:
        contact = PatientContact(patient_id=patient_id, channel="email", created_at=now, address=address)
        db.add(contact)
    elif contact.address != address:
        contact.address = address
        contact.verified_at = None
        contact.unsubscribed_at = None
    contact.reminder_rules = [r for r in RULE_IDS if r in rules]
    contact.updated_at = now
    db.flush()
    return contact


def confirm_email(db: Session, secret: str, token: str, now: datetime.datetime) -> PatientContact:
    """Mark the address in a valid verification link as verified; raises :class:`ContactProblem`."""
    contact = _contact_for(db, secret, "verify-email", token, now)
    if contact.verified_at is None:
        contact.verified_at = now
        contact.updated_at = now
    return contact


def unsubscribe(db: Session, secret: str, token: str, now: datetime.datetime) -> PatientContact:
    """Stop every reminder and notice to the address in a valid unsubscribe link (RFC 8058 one-click).

    Repeating it changes nothing; messages already in the outbox for the address end ``cancelled``
    when their turn comes.
    """
    contact = _contact_for(db, secret, "unsubscribe", token, now)
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = now
        contact.updated_at = now
    return contact


def email_contact(db: Session, patient_id: int) -> PatientContact | None:
    """The patient's e-mail address on file (verified or not, subscribed or not), if any."""
    return db.scalars(
        select(PatientContact).where(PatientContact.patient_id == patient_id, PatientContact.channel == "email")
    ).first()


def stop(contact: PatientContact, now: datetime.datetime) -> None:
    """Stop every message to ``contact`` (the signed-in patient's own choice; same effect as the link)."""
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = now
        contact.updated_at = now


def restart(contact: PatientContact, now: datetime.datetime) -> None:
    """Send to ``contact`` again after the patient stopped it (signed in: they own the account)."""
    if contact.unsubscribed_at is not None:
        contact.unsubscribed_at = None
        contact.updated_at = now


def _contact_for(db: Session, secret: str, purpose: str, token: str, now: datetime.datetime) -> PatientContact:
    try:
        claims = verify_token(secret, purpose, token, now)  # type: ignore[arg-type]
    except TokenError as exc:
        raise ContactProblem(f"This link cannot be used: {exc}.") from None
    contact = db.get(PatientContact, claims.contact_id)
    if contact is None or contact.address != claims.address:
        raise ContactProblem("This link is for an address that is no longer on file.")
    return contact


def reminder_channels(contacts: Iterable[PatientContact]) -> list[ReminderChannel]:
    """The channels that really send reminders: verified, subscribed e-mail addresses with chosen reminders.

    Pass this to :func:`msinfusion.plan.build_plan` so the plan says "we send" only when we do. SMS is not
    implemented, so it is never a channel here.
    """
    channels = []
    for contact in contacts:
        rules: tuple[RuleId, ...] = tuple(r for r in RULE_IDS if r in contact.reminder_rules)
        if contact.channel == "email" and contact.verified_at and not contact.unsubscribed_at and rules:
            channels.append(ReminderChannel(channel="email", rules=rules))
    return channels


def patient_reminder_channels(db: Session, patient_id: int) -> list[ReminderChannel]:
    """:func:`reminder_channels` for one patient's stored addresses."""
    return reminder_channels(db.scalars(select(PatientContact).where(PatientContact.patient_id == patient_id)))
