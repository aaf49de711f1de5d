"""`msinfusion reminders`: queue the reminders that are due and send the outbox; show delivery state to staff.

Exit status of ``reminders run``: 0 when the pass finished and nothing was marked failed in it (some
messages may wait for a retry); 1 when at least one message was marked failed in the last pass (see
``reminders status --state failed``); 2 for bad input or a database that is not migrated.
"""

from __future__ import annotations

import datetime
import time
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from sqlalchemy import func, select

from msinfusion.cli._app import UsageProblem, app, console
from msinfusion.settings import load_settings

if TYPE_CHECKING:
    from msinfusion.db import Database

reminders_app = typer.Typer(
    help="E-mail reminders and visit notices: send what is due, and show delivery state.", no_args_is_help=True
)
app.add_typer(reminders_app, name="reminders")

STATES = ("pending", "sending", "sent", "failed", "cancelled")


def _database() -> Database:
    from msinfusion.db import Database
    from msinfusion.db.database import session_info
    from msinfusion.db.migration import is_current

    settings = load_settings()
    database = Database.connect(settings.database_url, session_info(settings))
    try:
        current = is_current(database.engine)
    except Exception as exc:  # a missing file, an unreachable server: one line, not a traceback
        database.dispose()
        raise UsageProblem(f"cannot open the database: {exc.__class__.__name__}") from None
    if not current:
        database.dispose()
        raise UsageProblem("the database is not at the newest schema; run `msinfusion serve` once to migrate it")
    return database


def _moment(value: str | None) -> datetime.datetime:
    if value is None:
        return datetime.datetime.now(datetime.UTC)
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise UsageProblem(f"--now {value!r} is not a date and time like 2027-01-03T11:00+00:00") from None
    if moment.tzinfo is None:
        raise UsageProblem("--now needs a time zone offset, like 2027-01-03T11:00+00:00")
    return moment


@reminders_app.command("run")
def run(
    once: bool = typer.Option(False, "--once", help="Do one pass, then exit (for cron or a job runner)"),
    every: float = typer.Option(60.0, "--every", min=1.0, help="Seconds between passes when not --once"),
    smtp_host: str | None = typer.Option(None, "--smtp-host", help="Mail server host (default: MSINFUSION_SMTP_HOST)"),
    smtp_port: int | None = typer.Option(
        None, "--smtp-port", min=1, max=65535, help="Mail server port (default: MSINFUSION_SMTP_PORT)"
    ),
    starttls: bool | None = typer.Option(
        None,
        "--starttls/--no-starttls",
        help="Upgrade the connection with STARTTLS (default: MSINFUSION_SMTP_STARTTLS)",
    ),
    sender: str | None = typer.Option(None, "--sender", help="From address (default: MSINFUSION_MAIL_SENDER)"),
    base_url: str | None = typer.Option(
        None, "--base-url", help="The app's public URL, for links (default: MSINFUSION_PUBLIC_URL)"
    ),
    center_address: str | None = typer.Option(
        None,
        "--center-address",
        help="Where check answers that need a call are e-mailed (default: MSINFUSION_CENTER_NOTICE_ADDRESS)",
    ),
    now: str | None = typer.Option(None, "--now", hidden=True, help="Pretend it is this time (tests)"),
) -> int:
    """Queue every reminder that is due, then send the outbox once (or every --every seconds).

    Exit status: 0 the pass finished with nothing marked failed; 1 a message was marked failed (see
    `reminders status --state failed`); 2 bad input or a database that is not migrated.
    """
    from pydantic import ValidationError

    from msinfusion.outbox.config import mail_config
    from msinfusion.outbox.sending_pass import sending_pass

    settings = load_settings()
    if settings.environment == "production" and settings.secret_key == "dev-only-change-me":
        raise UsageProblem("set MSINFUSION_SECRET_KEY before sending messages in production")
    try:
        config = mail_config(
            settings,
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            smtp_starttls=starttls,
            sender=sender,
            public_url=base_url,
            center_notice_address=center_address,
        )
    except ValidationError as exc:
        raise UsageProblem(f"bad mail setting: {exc.errors()[0]['msg']}") from None
    database = _database()
    try:
        while True:
            moment = _moment(now)
            done = sending_pass(database, config, moment)
            queued, report = done.queued, done.delivery
            typer.echo(
                f"{moment:%Y-%m-%d %H:%M} queued {queued}, sent {len(report.sent)}, retrying "
                f"{len(report.retrying)}, failed {len(report.failed) + report.abandoned}, "
                f"cancelled {len(report.cancelled)}"
            )
            status = 1 if report.failed or report.abandoned else 0
            if once:
                return status
            time.sleep(every)
    except KeyboardInterrupt:
        return 0
    finally:
        database.dispose()


@reminders_app.command("email")
def email(
    reference: str = typer.Argument(..., help="The patient's reference at the center, e.g. P001"),
    address: str = typer.Argument(..., help="The patient's e-mail address"),
    reminder: list[str] = typer.Option(
        ["prepare", "day-before", "leave-soon"],
        "--reminder",
        help="A reminder the patient wants: prepare, day-before, leave-soon",
    ),
    center: str | None = typer.Option(None, "--center", help="The center's name, when several share a reference"),
    base_url: str | None = typer.Option(
        None, "--base-url", help="The app's public URL, for the link (default: MSINFUSION_PUBLIC_URL)"
    ),
    now: str | None = typer.Option(None, "--now", hidden=True, help="Pretend it is this time (tests)"),
) -> None:
    """Add or change a patient's e-mail address for reminders (staff); queues the e-mail that verifies it.

    Nothing is sent to the address until the patient opens the link in that e-mail (the next
    `reminders run` sends it).
    """
    from msinfusion.db.models import Center, Patient
    from msinfusion.outbox.config import mail_config
    from msinfusion.outbox.contacts import ContactProblem, set_email
    from msinfusion.outbox.producers import enqueue_verification

    settings = load_settings()
    config = mail_config(settings, public_url=base_url)
    moment = _moment(now)
    database = _database()
    try:
        with database.session() as db:
            query = select(Patient).where(Patient.reference == reference)
            if center is not None:
                query = query.join(Center, Center.id == Patient.center_id).where(Center.name == center)
            patients = db.scalars(query).all()
            if not patients:
                raise UsageProblem(f"no patient with reference {reference!r}")
            if len(patients) > 1:
                raise UsageProblem(f"{len(patients)} centers have a patient {reference!r}; add --center NAME")
            try:
                contact = set_email(db, patients[0].id, address, reminder, moment)
            except ContactProblem as exc:
                raise UsageProblem(str(exc)) from None
            enqueue_verification(db, contact, config, moment)
            stored = contact.address
    finally:
        database.dispose()
    typer.echo(f"{reference}: {stored} saved; the verification e-mail goes out with the next `reminders run`")


@reminders_app.command("status")
def status(
    state: str | None = typer.Option(None, "--state", help="Only messages in this state: " + ", ".join(STATES)),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="Show at most this many, newest first"),
) -> None:
    """Delivery state for staff: counts by state, then the newest messages with attempts and last error."""
    from msinfusion.db.comms_models import OutboxMessage

    if state is not None and state not in STATES:
        raise UsageProblem(f"--state must be one of: {', '.join(STATES)}")
    database = _database()
    try:
        with database.read_session() as db:
            counts: dict[str, int] = {
                name: count
                for name, count in db.execute(
                    select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
                ).all()
            }
            query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            if state is not None:
                query = query.where(OutboxMessage.state == state)
            messages = db.scalars(query.limit(limit)).all()
    finally:
        database.dispose()
    out = console()
    out.print("  ".join(f"{name}: {counts.get(name, 0)}" for name in STATES))
    table = Table(title="Outbox (newest first)")
    for column in ("id", "state", "kind", "to", "patient", "attempts", "next attempt / sent", "last error"):
        table.add_column(column)
    for m in messages:
        when = m.sent_at if m.state == "sent" else m.next_attempt_at
        table.add_row(
            str(m.id),
            m.state,
            m.kind,
            m.recipient,
            str(m.patient_id or ""),
            str(m.attempts),
            f"{when:%Y-%m-%d %H:%M} UTC" if when else "",
            m.last_error or "",
        )
    out.print(table)
