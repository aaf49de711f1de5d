"""Request-scoped dependencies, typed: the settings, mail settings, database session, clock, signed-in
principal, the schedule runner, and the objects a route names (the caller's own patient record, a catalog
therapy).

Routes take them as ``Annotated`` parameters (``db: DbSession``, ``at: Now``); nothing else reads
``app.state``. The app factory stores each one there once (:func:`msinfusion.web.app.create_app`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from argon2 import PasswordHasher
from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.database import Database, begin_read_only
from msinfusion.db.models import STAFF_ROLES, Patient
from msinfusion.jobs.runners import JobRunner
from msinfusion.outbox.config import MailConfig, mail_config
from msinfusion.settings import Settings
from msinfusion.therapies import Therapy, UnknownTherapy, load_catalog
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
    locale: str | None = None  # the chosen language (patient record, or staff account); None: the browser's

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


def app_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def app_database(request: Request) -> Database:
    """The app's database (engine and session factory)."""
    database: Database = request.app.state.database
    return database


def app_clock(request: Request) -> Callable[[], datetime]:
    """The app's clock (tests inject their own)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock


def schedule_runner(request: Request) -> JobRunner:
    """The worker that solves queued optimizer runs."""
    runner: JobRunner = request.app.state.schedule_runner
    return runner


def password_hasher(request: Request) -> PasswordHasher:
    """The Argon2id hasher built from the settings."""
    hasher: PasswordHasher = request.app.state.hasher
    return hasher


def templates(request: Request) -> Jinja2Templates:
    """The page templates."""
    value: Jinja2Templates = request.app.state.templates
    return value


def dummy_hash(request: Request, hasher: PasswordHasher) -> str:
    """A real hash of a random secret, made once per app: checking an unknown user's password against it
    takes as long as checking a real one, so the answer time does not tell who has an account."""
    state = request.app.state
    if getattr(state, "dummy_hash", None) is None:
        state.dummy_hash = hasher.hash(secrets.token_urlsafe(16))
    value: str = state.dummy_hash
    return value


def mail_settings(request: Request) -> MailConfig:
    """The mail settings (SMTP, links, quiet hours), built from the app's settings."""
    return mail_config(app_settings(request))


AppSettings = Annotated[Settings, Depends(app_settings)]
Mail = Annotated[MailConfig, Depends(mail_settings)]
Runner = Annotated[JobRunner, Depends(schedule_runner)]
Hasher = Annotated[PasswordHasher, Depends(password_hasher)]


def db_session(database: Annotated[Database, Depends(app_database)]) -> Iterator[Session]:
    """One session per request; the route's unit of work commits, anything else is rolled back."""
    with database.sessions() as session:
        yield session


def now(clock: Annotated[Callable[[], datetime], Depends(app_clock)]) -> datetime:
    """The current instant from the app's clock."""
    return clock()


DbSession = Annotated[Session, Depends(db_session)]
Now = Annotated[datetime, Depends(now)]


def current_principal(request: Request, db: DbSession, at: Now, settings: AppSettings) -> Principal | None:
    """The signed-in principal from the session cookie, or None."""
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
    patient_id, locale = None, user.locale
    if user.role == "patient":
        row = db.execute(select(Patient.id, Patient.locale).where(Patient.user_id == user.id)).first()
        patient_id, locale = (row[0], row[1]) if row else (None, None)
    db.commit()
    request.state.session_token = token
    principal = Principal(user.id, user.username, user.display_name, user.role, user.center_id, patient_id, locale)
    request.state.principal = principal
    return principal


def own_patient(db: Session, principal: Principal) -> Patient:
    """The signed-in patient's record (a patient account without one has nothing to show)."""
    patient = db.get(Patient, principal.patient_id) if principal.patient_id else None
    if patient is None:
        raise HTTPException(404, "Your care team has not set up your record yet.")
    return patient


def find_therapy(therapy_id: str) -> Therapy:
    """The catalog therapy named in a path (404 when the catalog has none)."""
    catalog = load_catalog()
    if therapy_id not in catalog.ids:
        raise HTTPException(404, "There is no therapy with that id in the catalog.")
    try:
        return catalog.get(therapy_id)
    except UnknownTherapy:  # pragma: no cover - ids come from the catalog itself
        raise HTTPException(404, "There is no therapy with that id in the catalog.") from None
