"""Private calendar-feed links: a random secret in the URL, only its SHA-256 in the database.

A patient has at most one live link (a partial unique index says so in the database). Making a new
one revokes the old one (rotation), with the patient's row locked so simultaneous requests take turns;
turning the link off revokes it. A link stops working after the ``calendar_link_days`` setting and
when the patient's account is disabled. The raw secret is shown once, when it is made, and never again.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from msinfusion.db.models import CalendarFeedToken, Patient, User

TOKEN_BYTES = 32  # 256 bits, URL-safe base64: 43 characters


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live_token(db: Session, patient_id: int) -> CalendarFeedToken | None:
    """The patient's live (not revoked) feed token row, if any."""
    return db.scalars(
        select(CalendarFeedToken)
        .where(CalendarFeedToken.patient_id == patient_id, CalendarFeedToken.revoked_at.is_(None))
        .order_by(CalendarFeedToken.created_at.desc())
        .limit(1)
    ).first()


def revoke_all(db: Session, patient_id: int, now: datetime) -> int:
    """Revoke every live link of the patient; returns how many were live."""
    result = db.execute(
        update(CalendarFeedToken)
        .where(CalendarFeedToken.patient_id == patient_id, CalendarFeedToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def issue(db: Session, patient_id: int, now: datetime) -> tuple[str, CalendarFeedToken]:
    """Revoke the old link and make a new one; returns the raw secret (shown once) and its row."""
    # Take turns per patient (PostgreSQL row lock; SQLite's BEGIN IMMEDIATE already serialises writers).
    db.execute(select(Patient.id).where(Patient.id == patient_id).with_for_update())
    revoke_all(db, patient_id, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = CalendarFeedToken(patient_id=patient_id, token_hash=hash_token(token), created_at=now)
    db.add(row)
    db.flush()
    return token, row


def find(db: Session, token: str, now: datetime, max_age: timedelta) -> CalendarFeedToken | None:
    """The live row for a raw secret from a feed URL, or None (unknown, malformed, revoked, expired,
    or its patient's account disabled)."""
    if not 20 <= len(token) <= 100 or not token.isascii():
        return None
    found = db.execute(
        select(CalendarFeedToken, User.is_active)
        .join(Patient, Patient.id == CalendarFeedToken.patient_id)
        .outerjoin(User, User.id == Patient.user_id)
        .where(CalendarFeedToken.token_hash == hash_token(token))
    ).first()
    if found is None:
        return None
    row, active = found
    if row.revoked_at is not None or active is False or now - row.created_at >= max_age:
        return None
    return row


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"
