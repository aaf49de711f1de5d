"""`msinfusion users`: open, invite, reset, disable, enable and unlock accounts (the first admin starts here).

Each change is written to the audit trail as done from the command line (no signed-in actor).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion import passwords
from msinfusion.accounts import AccountProblem
from msinfusion.cli._app import UsageProblem, app, console
from msinfusion.cli.serve import settings_or_problem
from msinfusion.settings import Settings

users_app = typer.Typer(
    help="Staff and patient accounts: create, invite, reset, disable, enable, unlock.", no_args_is_help=True
)
app.add_typer(users_app, name="users")

T = TypeVar("T")


@contextmanager
def _database(settings: Settings) -> Iterator[Session]:
    """A migrated database session that commits when the command succeeds."""
    from msinfusion.db import Database, migrate
    from msinfusion.db.database import session_info

    migrate(settings)
    database = Database.connect(settings.database_url, session_info(settings))
    try:
        with database.session() as db:
            yield db
    finally:
        database.dispose()


def _run(action: Callable[[Session, Settings, datetime], T]) -> T:
    settings = settings_or_problem()
    try:
        with _database(settings) as db:
            return action(db, settings, datetime.now(UTC))
    except AccountProblem as problem:
        raise UsageProblem(str(problem)) from None


def _audit(db: Session, at: datetime, action: str, user: Any, **details: Any) -> None:
    from msinfusion.db import audit

    audit.record(
        db,
        at=at,
        action=action,
        object_type="user",
        object_id=user.id,
        center_id=user.center_id,
        details={"via": "cli", "username": user.username, **details},
    )


def _link(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/set-password/{token}"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = passwords.password_problem(password)
    if problem:
        raise UsageProblem(f"password: {problem}")
    return password


ROLE_HELP = "patient, nurse, scheduler or admin"


@users_app.command("create")
def create(
    username: str = typer.Argument(..., help="Sign-in name (3-64 letters, digits, . - _)"),
    name: str = typer.Option(..., "--name", help="The person's name as staff see it"),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    center: str = typer.Option(..., "--center", help="The center's name"),
    timezone: str | None = typer.Option(
        None, "--timezone", help="Create the center with this IANA time zone if it does not exist (first admin)"
    ),
    patient: str | None = typer.Option(None, "--patient", help="Link a patient account to this patient reference"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input"),
) -> None:
    """Create an account with a password you type (for the first admin; invite everyone else)."""
    password = _read_password(password_stdin)

    def action(db: Session, settings: Settings, now: datetime) -> None:
        from msinfusion.db import accounts

        where = _center(db, center, timezone)
        hashed = passwords.make_hasher(settings).hash(password)
        user = accounts.create(db, accounts.NewAccount(username, name, role, patient), where, now, hashed)
        _audit(db, now, "create", user, role=user.role)
        typer.echo(f"created {user.role} {user.username} at {center}")

    _run(action)


def _center(db: Session, name: str, timezone: str | None) -> int:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from msinfusion.db import accounts
    from msinfusion.db.models import Center

    existing = db.scalar(select(Center).where(Center.name == name))
    if existing is not None:
        return existing.id
    if timezone is None:
        return accounts.find_center(db, name).id  # raises, naming the centers there are
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AccountProblem(f"{timezone!r} is not an IANA time zone (e.g. America/New_York).") from None
    created = Center(name=name, timezone=timezone)
    db.add(created)
    db.flush()
    return created.id


@users_app.command("invite")
def invite(
    username: str = typer.Argument(..., help="Sign-in name (3-64 letters, digits, . - _)"),
    name: str = typer.Option(..., "--name", help="The person's name as staff see it"),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    center: str = typer.Option(..., "--center", help="The center's name"),
    patient: str | None = typer.Option(None, "--patient", help="Link a patient account to this patient reference"),
) -> None:
    """Create an account without a password and print a one-time link to set one."""

    def action(db: Session, settings: Settings, now: datetime) -> None:
        from msinfusion.db import accounts

        where = accounts.find_center(db, center).id
        user = accounts.create(db, accounts.NewAccount(username, name, role, patient), where, now)
        token, link = accounts.issue_link(db, user, "invite", now, settings.password_link_hours)
        _audit(db, now, "invite", user, role=user.role)
        until = f"{link.expires_at:%Y-%m-%d %H:%M} UTC"
        typer.echo(f"invited {user.role} {user.username}; this link works once until {until}:")
        typer.echo(_link(settings, token))

    _run(action)


@users_app.command("reset")
def reset(username: str = typer.Argument(..., help="The account's sign-in name")) -> None:
    """Print a one-time link to set a new password (earlier links stop working)."""

    def action(db: Session, settings: Settings, now: datetime) -> None:
        from msinfusion.db import accounts

        user = accounts.find_user(db, username)
        token, link = accounts.issue_link(db, user, "reset", now, settings.password_link_hours)
        _audit(db, now, "reset", user)
        typer.echo(f"reset link for {user.username}; it works once until {link.expires_at:%Y-%m-%d %H:%M} UTC:")
        typer.echo(_link(settings, token))

    _run(action)


@users_app.command("disable")
def disable(username: str = typer.Argument(..., help="The account's sign-in name")) -> None:
    """Disable an account: sign-in refused, sessions ended, calendar feeds and open links revoked."""

    def action(db: Session, settings: Settings, now: datetime) -> None:
        from msinfusion.db import accounts

        user = accounts.find_user(db, username)
        accounts.disable(db, user, now)
        _audit(db, now, "disable", user)
        typer.echo(f"disabled {user.username}; its sessions and calendar feeds are ended")

    _run(action)


@users_app.command("enable")
def enable(username: str = typer.Argument(..., help="The account's sign-in name")) -> None:
    """Enable a disabled account again (its ended sessions, feeds and links stay ended)."""

    def action(db: Session, settings: Settings, now: datetime) -> None:
        from msinfusion.db import accounts

        user = accounts.find_user(db, username)
        was_active = user.is_active
        accounts.enable(db, user)
        if was_active:
            typer.echo(f"{user.username} is already enabled")
            return
        _audit(db, now, "enable", user)
        typer.echo(f"enabled {user.username}; it signs in with its password (or `msinfusion users reset` for a link)")

    _run(action)


@users_app.command("unlock")
def unlock(username: str = typer.Argument(..., help="The account's sign-in name")) -> None:
    """Lift the lock that many failed sign-ins put on an account."""

    def action(db: Session, settings: Settings, now: datetime) -> None:
        from msinfusion.db import accounts

        user = accounts.find_user(db, username)
        accounts.unlock(db, user)
        _audit(db, now, "unlock", user)
        typer.echo(f"unlocked {user.username}")

    _run(action)


@users_app.command("list")
def list_users(center: str | None = typer.Option(None, "--center", help="Only this center's accounts")) -> None:
    """List accounts: username, name, role, center and state."""

    def action(db: Session, settings: Settings, now: datetime) -> None:
        from msinfusion.db.models import Center, User

        query = select(User, Center.name).join(Center, Center.id == User.center_id).order_by(Center.name, User.username)
        if center is not None:
            query = query.where(Center.name == center)
        table = Table(title="Accounts")
        for column in ("username", "name", "role", "center", "state"):
            table.add_column(column)
        for user, center_name in db.execute(query):
            state = "disabled" if not user.is_active else "locked" if user.locked_at else "active"
            table.add_row(user.username, user.display_name, user.role, center_name, state)
        console().print(table)

    _run(action)


@users_app.command("reset-mfa")
def reset_mfa(username: str = typer.Argument(..., help="The account's sign-in name")) -> None:
    """Remove an account's authenticator key and recovery codes (a lost phone); it enrols again at next sign-in."""

    def action(db: Session, settings: Settings, now: datetime) -> None:
        from msinfusion.db import accounts
        from msinfusion.db import mfa as mfa_store

        user = accounts.find_user(db, username)
        mfa_store.remove(db, user.id)
        accounts.end_sessions(db, user.id, now)
        _audit(db, now, "reset", user, factor="totp")
        typer.echo(f"removed the second factor of {user.username}; its sessions are ended")

    _run(action)
