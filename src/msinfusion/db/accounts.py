"""Accounts in the database: create, invite, reset, disable, unlock, and the one-time set-password links.

The raw link token is returned once, to be shown or printed; only its SHA-256 is stored. Disabling an
account ends its sessions, revokes its calendar feeds and its open links. Callers write the audit entry
(the web routes through their unit of work, the CLI itself) and commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from msinfusion.accounts import (
    UNUSABLE_PASSWORD,
    AccountProblem,
    check_role,
    link_expires_at,
    link_is_live,
    normal_username,
)
from msinfusion.db import calendar_feeds
from msinfusion.db.account_models import PasswordLink
from msinfusion.db.models import Center, Patient, User, WebSession
from msinfusion.i18n import N_

TOKEN_BYTES = 32  # 256 bits: 43 URL-safe characters


@dataclass(frozen=True)
class NewAccount:
    """What an admin gives to open an account."""

    username: str
    display_name: str
    role: str
    patient_reference: str | None = None  # a patient account may be linked to the center's record


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user(db: Session, username: str) -> User:
    """The account called ``username``, or :class:`AccountProblem`."""
    user = db.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise AccountProblem(N_("There is no account called {username!r}."), username=username.strip())
    return user


def find_center(db: Session, name: str) -> Center:
    """The center called ``name``, or :class:`AccountProblem` naming the ones there are."""
    center = db.scalar(select(Center).where(Center.name == name))
    if center is None:
        known = ", ".join(db.scalars(select(Center.name).order_by(Center.name))) or "none yet"
        raise AccountProblem(N_("There is no center called {name!r} (centers: {known})."), name=name, known=known)
    return center


def linked_patient(db: Session, user_id: int) -> Patient | None:
    """The patient record an account is linked to, if any."""
    return db.scalar(select(Patient).where(Patient.user_id == user_id))


def create(db: Session, new: NewAccount, center_id: int, now: datetime, password_hash: str = UNUSABLE_PASSWORD) -> User:
    """Open an account (without a usable password unless ``password_hash`` is given)."""
    username = normal_username(new.username)
    role = check_role(new.role)
    display_name = new.display_name.strip()
    if not 1 <= len(display_name) <= 200:
        raise AccountProblem(N_("Give the person's name (at most 200 characters)."))
    if db.scalar(select(func.count()).select_from(User).where(User.username == username)):
        raise AccountProblem(N_("The username {username!r} is taken."), username=username)
    patient = None
    if new.patient_reference:
        if role != "patient":
            raise AccountProblem(N_("Only a patient account can be linked to a patient record."))
        patient = db.scalar(
            select(Patient).where(Patient.center_id == center_id, Patient.reference == new.patient_reference.strip())
        )
        if patient is None:
            raise AccountProblem(
                N_("This center has no patient with reference {reference!r}."), reference=new.patient_reference.strip()
            )
        if patient.user_id is not None:
            raise AccountProblem(N_("Patient {reference} already has an account."), reference=patient.reference)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=password_hash,
        role=role,
        center_id=center_id,
        password_changed_at=now,
        created_at=now,
    )
    db.add(user)
    db.flush()
    if patient is not None:
        patient.user_id = user.id
        db.flush()
    return user


def issue_link(
    db: Session, user: User, purpose: str, now: datetime, hours: int, created_by: int | None = None
) -> tuple[str, PasswordLink]:
    """A new one-time set-password link for ``user`` (earlier open links stop working); the raw token once."""
    if not user.is_active:
        raise AccountProblem(N_("The account {username!r} is disabled."), username=user.username)
    _revoke_links(db, user.id, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PasswordLink(
        user_id=user.id,
        token_hash=_hash(token),
        purpose=purpose,
        created_by=created_by,
        created_at=now,
        expires_at=link_expires_at(now, hours),
    )
    db.add(link)
    db.flush()
    return token, link


def live_link(db: Session, token: str, now: datetime) -> PasswordLink | None:
    """The link for a raw token if it still works (unused, unexpired, not revoked, account active)."""
    if not 20 <= len(token) <= 100:
        return None
    link = db.scalar(select(PasswordLink).where(PasswordLink.token_hash == _hash(token)))
    if link is None or not link_is_live(link.expires_at, link.used_at, link.revoked_at, now):
        return None
    user = db.get(User, link.user_id)
    return link if user is not None and user.is_active else None


def set_password(db: Session, link: PasswordLink, password_hash: str, now: datetime) -> User:
    """Use the link: store the new password, end every session, clear failures and the lock."""
    user = db.get(User, link.user_id)
    assert user is not None
    link.used_at = now
    user.password_hash = password_hash
    user.password_changed_at = now
    user.failed_logins = 0
    user.locked_at = None
    end_sessions(db, user.id, now)
    db.flush()
    return user


def disable(db: Session, user: User, now: datetime) -> None:
    """Disable the account: no sign-in, sessions ended, calendar feeds and open links revoked."""
    user.is_active = False
    end_sessions(db, user.id, now)
    _revoke_links(db, user.id, now)
    patient = linked_patient(db, user.id)
    if patient is not None:
        calendar_feeds.revoke_all(db, patient.id, now)
    db.flush()


def enable(db: Session, user: User) -> None:
    """Let a disabled account sign in again. What disabling ended stays ended: its sessions, calendar
    feeds and set-password links (a new link comes from a reset)."""
    user.is_active = True
    db.flush()


def unlock(db: Session, user: User) -> None:
    """Lift the lock that many failed sign-ins set, and forget the failures."""
    user.locked_at = None
    user.failed_logins = 0
    db.flush()


def end_sessions(db: Session, user_id: int, now: datetime) -> None:
    """End every live session of the account."""
    db.execute(
        update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None)).values(revoked_at=now)
    )


def _revoke_links(db: Session, user_id: int, now: datetime) -> None:
    db.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user_id, PasswordLink.used_at.is_(None), PasswordLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )
