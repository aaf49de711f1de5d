"""Server-side sign-in sessions: a random token in an HttpOnly cookie, its SHA-256 in the database.

A session ends on sign-out, after ``session_idle_minutes`` without a request, ``session_absolute_hours``
after sign-in, or when the account is disabled or locked; every check happens on the server.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session
from starlette.responses import Response

from msinfusion.db.models import User, WebSession
from msinfusion.settings import Settings

# Refresh last_seen_at at most this often, so most requests do not write (idle timing stays accurate
# to within this interval).
_TOUCH_INTERVAL = timedelta(seconds=60)


def is_secure(settings: Settings) -> bool:
    """Secure cookies everywhere except local development and tests over plain HTTP."""
    return settings.environment not in ("development", "test")


def cookie_name(settings: Settings) -> str:
    # ASVS 3.3.1: the __Host- prefix pins the cookie to this host and path "/", but browsers only
    # accept it with Secure, so plain-HTTP development uses an unprefixed name.
    return "__Host-msi_session" if is_secure(settings) else "msi_session"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(db: Session, user: User, now: datetime) -> str:
    """Create a session for ``user`` and return the raw token for the cookie (256 random bits)."""
    token = secrets.token_urlsafe(32)
    db.add(WebSession(id_hash=hash_token(token), user_id=user.id, created_at=now, last_seen_at=now))
    db.flush()
    return token


def _ended(session: WebSession, now: datetime, settings: Settings) -> bool:
    """True when the session timed out or its user may no longer sign in."""
    user = session.user
    return (
        now - session.last_seen_at >= timedelta(minutes=settings.session_idle_minutes)
        or now - session.created_at >= timedelta(hours=settings.session_absolute_hours)
        or not user.is_active
        or user.locked_at is not None
        or user.password_changed_at > session.created_at
    )


def find(db: Session, token: str, now: datetime, settings: Settings) -> tuple[WebSession | None, bool]:
    """Read-only: the live session for ``token`` (None as in :func:`load`), and whether :func:`load` must
    write (to end it, or to refresh ``last_seen_at``). Most requests need nothing more than this."""
    session = db.get(WebSession, hash_token(token))
    if session is None or session.revoked_at is not None:
        return None, False
    if _ended(session, now, settings):
        return None, True
    return session, now - session.last_seen_at >= _TOUCH_INTERVAL


def load(db: Session, token: str, now: datetime, settings: Settings) -> WebSession | None:
    """The live session for ``token``, or None if it is unknown, ended, expired or its user is barred."""
    session = db.get(WebSession, hash_token(token))
    if session is None or session.revoked_at is not None:
        return None
    if _ended(session, now, settings):
        session.revoked_at = now
        db.flush()
        return None
    if now - session.last_seen_at >= _TOUCH_INTERVAL:
        session.last_seen_at = now
        db.flush()
    return session


def end(db: Session, token: str, now: datetime) -> None:
    """End the session for ``token`` (sign-out)."""
    session = db.get(WebSession, hash_token(token))
    if session is not None and session.revoked_at is None:
        session.revoked_at = now
        db.flush()


def end_all_for(db: Session, user_id: int, now: datetime) -> None:
    """End every live session of a user (account disabled, password changed elsewhere)."""
    db.execute(
        update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None)).values(revoked_at=now)
    )


def set_cookie(response: Response, token: str, settings: Settings) -> None:
    """Put the session token in its cookie: host-only, HttpOnly, SameSite=Lax, Secure outside development."""
    response.set_cookie(
        cookie_name(settings), token, path="/", httponly=True, samesite="lax", secure=is_secure(settings)
    )
