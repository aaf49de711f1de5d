"""Sign-in throttling (NIST SP 800-63B 5.2.2): per account and address, and per address overall.

Failures are counted from the login_attempts table, so the limit holds across workers and restarts.
Consecutive failures on one account lock it at ``login_lock_after_failures``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from msinfusion.db.models import LoginAttempt
from msinfusion.settings import Settings

WINDOW = timedelta(minutes=15)
# One address may fail for many accounts (a shared clinic network), but not without bound.
ADDRESS_FACTOR = 10


def _failures(db: Session, since: datetime, **where: str) -> int:
    query = (
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since, LoginAttempt.success.is_(False))
    )
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return db.scalar(query) or 0


def is_throttled(db: Session, username: str, address: str, now: datetime, settings: Settings) -> bool:
    """True when this account-and-address, or this address, has failed too often in the window."""
    since = now - WINDOW
    limit = settings.login_attempts_per_15_minutes
    return (
        _failures(db, since, username=username, address=address) >= limit
        or _failures(db, since, address=address) >= limit * ADDRESS_FACTOR
    )


def record(db: Session, username: str, address: str, now: datetime, *, success: bool) -> None:
    db.add(LoginAttempt(at=now, username=username[:200], address=address[:64], success=success))
    db.flush()
