"""Private calendar-feed links: a random secret in the URL, only its SHA-256 in the database.

A patient has at most one live link. Making a new one revokes the old one (rotation); turning the
link off revokes it. The raw secret is shown once, when it is made, and never again.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from msinfusion.db.models import CalendarFeedToken

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
    revoke_all(db, patient_id, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = CalendarFeedToken(patient_id=patient_id, token_hash=hash_token(token), created_at=now)
    db.add(row)
    db.flush()
    return token, row


def find(db: Session, token: str) -> CalendarFeedToken | None:
    """The live row for a raw secret from a feed URL, or None (unknown, malformed or revoked)."""
    if not 20 <= len(token) <= 100:
        return None
    row = db.scalar(select(CalendarFeedToken).where(CalendarFeedToken.token_hash == hash_token(token)))
    return row if row is not None and row.revoked_at is None else None


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"
