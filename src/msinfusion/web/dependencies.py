"""Request-scoped dependencies: the database session, the clock and the signed-in principal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.database import begin_read_only
from msinfusion.db.models import STAFF_ROLES, Patient
from msinfusion.settings import Settings
from msinfusion.web import sessions


@dataclass(frozen=True)
class Principal:
    """Who is making the request: the user, their role and center, and their patient record if any."""

    user_id: int
    username: str
    display_name: str
    role: str
    center_id: int
    patient_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def db_session(request: Request) -> Iterator[Session]:
    """One session per request; routes commit what they change, anything else is rolled back."""
    with request.app.state.database.sessions() as session:
        yield session


def now(request: Request) -> datetime:
    """The current instant from the app's clock (tests inject their own)."""
    value: datetime = request.app.state.clock()
    return value


def current_principal(
    request: Request, db: Session = Depends(db_session), at: datetime = Depends(now)
) -> Principal | None:
    """The signed-in principal from the session cookie, or None."""
    settings: Settings = request.app.state.settings
    token = request.cookies.get(sessions.cookie_name(settings))
    if not token or len(token) > 100:
        return None
    # Check the session in a read-only transaction (on SQLite it does not queue for the write lock);
    # only when it must be ended or refreshed, check again and write under the write lock.
    if db.in_transaction():  # another dependency already started one: check inside it, as before
        session, must_write = sessions.load(db, token, at, settings), False
    else:
        begin_read_only(db)
        session, must_write = sessions.find(db, token, at, settings)
    if must_write:
        db.commit()
        db.expire_all()  # re-read the session and user, do not trust what the read saw
        session = sessions.load(db, token, at, settings)
    if session is None:
        db.commit()  # keep the revocation of an expired session
        return None
    user = session.user
    patient_id = db.scalar(select(Patient.id).where(Patient.user_id == user.id)) if user.role == "patient" else None
    db.commit()
    request.state.session_token = token
    principal = Principal(user.id, user.username, user.display_name, user.role, user.center_id, patient_id)
    request.state.principal = principal
    return principal
