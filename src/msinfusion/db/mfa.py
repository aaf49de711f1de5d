"""Second factors in the database: enrol a TOTP key, confirm it with a first code, check later codes
(each time step once), and the recovery codes (hashed, single use).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from msinfusion import mfa
from msinfusion.db.account_models import RecoveryCode, TotpFactor

Factor = Literal["totp", "recovery"]


def factor(db: Session, user_id: int) -> TotpFactor | None:
    """The user's TOTP factor, confirmed or not."""
    return db.get(TotpFactor, user_id)


def is_enrolled(db: Session, user_id: int) -> bool:
    """True when the user has a confirmed TOTP factor."""
    found = factor(db, user_id)
    return found is not None and found.confirmed_at is not None


def start_enrolment(db: Session, user_id: int, now: datetime, app_secret: str) -> TotpFactor:
    """A new, unconfirmed key for the user (replacing an unconfirmed one; a confirmed one stays)."""
    found = factor(db, user_id)
    if found is not None and found.confirmed_at is not None:
        return found
    if found is not None:
        db.delete(found)
        db.flush()
    created = TotpFactor(
        user_id=user_id, secret_encrypted=mfa.encrypt_secret(mfa.new_secret(), app_secret), created_at=now
    )
    db.add(created)
    db.flush()
    return created


def secret_of(found: TotpFactor, app_secret: str) -> str:
    """The factor's key in clear, to show once during enrolment or to check a code."""
    return mfa.decrypt_secret(found.secret_encrypted, app_secret)


def confirm(db: Session, user_id: int, code: str, now: datetime, app_secret: str) -> list[str] | None:
    """Confirm the unconfirmed key with a first code; returns fresh recovery codes, or None if it did not match."""
    found = factor(db, user_id)
    if found is None or found.confirmed_at is not None:
        return None
    step = mfa.matching_step(secret_of(found, app_secret), code, now, found.last_step)
    if step is None:
        return None
    found.confirmed_at = now
    found.last_step = step
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = mfa.new_recovery_codes()
    db.add_all(RecoveryCode(user_id=user_id, code_hash=mfa.recovery_code_hash(c), created_at=now) for c in codes)
    db.flush()
    return codes


def verify(db: Session, user_id: int, code: str, now: datetime, app_secret: str) -> Factor | None:
    """Check a sign-in code: a TOTP code (its step is then spent) or an unused recovery code (then used)."""
    found = factor(db, user_id)
    if found is None or found.confirmed_at is None:
        return None
    if mfa.looks_like_recovery_code(code):
        row = db.scalar(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.code_hash == mfa.recovery_code_hash(code),
                RecoveryCode.used_at.is_(None),
            )
        )
        if row is None:
            return None
        row.used_at = now
        db.flush()
        return "recovery"
    step = mfa.matching_step(secret_of(found, app_secret), code, now, found.last_step)
    if step is None:
        return None
    found.last_step = step
    db.flush()
    return "totp"


def recovery_codes_left(db: Session, user_id: int) -> int:
    """How many recovery codes the user has not used."""
    rows = db.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)))
    return len(rows.all())


def remove(db: Session, user_id: int) -> None:
    """Forget the user's factor and recovery codes (an admin's reset when the phone is lost)."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    db.execute(delete(TotpFactor).where(TotpFactor.user_id == user_id))
    db.flush()
