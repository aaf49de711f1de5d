"""Regimen booking in the background: queue a run for a prescription, plan it in a job, confirm the stored plan.

A request only builds the booking request (the center, its booked visits, the prescription), writes it
on a ``queued`` :class:`~msinfusion.db.booking_models.BookingRun` row and hands the run's id to the job
runner (:mod:`msinfusion.jobs`: a job on the PostgreSQL queue, or a thread of the web process on the
embedded default). :func:`plan_run` marks it ``running``, asks :func:`msinfusion.booking.book` for the
plan and stores the prescription's bookings and unbooked doses (``done``) or a generic error
(``failed``). Pages read the row, so nothing waits for the engine.

Confirming never plans again: :func:`confirm_run` checks the stored bookings against the center as it
is now (:func:`msinfusion.booking.replay.replay`: chairs, nurses, nurse ratio, headroom, the label
rules) and writes them, or refuses with :class:`~msinfusion.db.bookings.BookingConflict` when the
schedule changed meanwhile; the database's own no-double-booking guards still hold under that.

One run per prescription is queued or running (a partial unique index). A run still queued or running
after its deadline belongs to a process that died; it is shown, and then stored, as failed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.booking import Booking, Unbooked, book, parse_request
from msinfusion.booking.replay import replay
from msinfusion.db import bookings
from msinfusion.db.booking_models import ACTIVE_BOOKING_RUN_STATUSES, BookingRun
from msinfusion.db.database import Database
from msinfusion.db.models import Appointment, Prescription
from msinfusion.i18n import N_, Message
from msinfusion.prescriptions import RecordProblem

log = logging.getLogger("msinfusion.booking")

QUEUE_GRACE = dt.timedelta(minutes=10)
"""How long a booking run may wait for a free worker before it counts as lost."""
RUN_GRACE = dt.timedelta(seconds=60)
"""How long past its time limit a running plan may take before it is lost."""
STALE_ERROR = N_("The booking plan stopped without finishing (the server may have restarted). Please plan it again.")
FAILED_ERROR = N_("The booking engine stopped with an error. Please plan it again; if it happens again, tell support.")
WORKER_LOST_ERROR = N_(
    "The job worker planning this booking stopped without finishing it (it was killed or restarted), "
    "and so did its retry. Please plan it again; if it happens again, tell support."
)
SCHEDULE_CHANGED = N_(
    "The schedule changed since this plan was made, so nothing was booked. Plan again to see a new proposal."
)
ALREADY_CONFIRMED = N_("This plan was already booked. Plan again to book doses it left out.")
NOT_READY = N_("This plan is not ready to book. Plan again.")

Status = Literal["queued", "running", "done", "failed"]


class BookingRunStatus(BaseModel):
    """What a page (or its poller) needs to show a booking run."""

    id: int
    prescription_id: int
    status: Status
    stale: bool
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    booked: int | None
    unbooked: int | None
    confirmed_at: dt.datetime | None
    error: str | None
    version: int

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_BOOKING_RUN_STATUSES


def is_stale(run: BookingRun, now: dt.datetime) -> bool:
    return run.status in ACTIVE_BOOKING_RUN_STATUSES and now > run.deadline_at


def status_of(run: BookingRun, now: dt.datetime) -> BookingRunStatus:
    """The run as shown: a lost run reads as failed even before anyone stores that."""
    stale = is_stale(run, now)
    done = run.status == "done" and run.result is not None
    result = run.result or {}
    return BookingRunStatus(
        id=run.id,
        prescription_id=run.prescription_id,
        status="failed" if stale else run.status,
        stale=stale,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        booked=len(result.get("bookings", [])) if done else None,
        unbooked=len(result.get("unbooked", [])) if done else None,
        confirmed_at=run.confirmed_at,
        error=STALE_ERROR if stale else run.error,
        version=run.version,
    )


def _message_json(value: object) -> object:
    """A core sentence as JSON that keeps its message id and values (so a page can still translate it)."""
    if isinstance(value, Message):
        return {"text": value.text, "values": {name: _message_json(v) for name, v in value.values.items()}}
    if isinstance(value, list):
        return [_message_json(v) for v in value]
    return value if value is None or isinstance(value, (str, int, float)) else str(value)


def _message_from(data: object) -> object:
    if isinstance(data, dict) and "text" in data:
        return Message(str(data["text"]), **{name: _message_from(v) for name, v in dict(data["values"]).items()})
    if isinstance(data, list):
        return [_message_from(v) for v in data]
    return data


def _stored(items: list[Any], field: str) -> list[dict[str, Any]]:
    """Plan items as stored: the interchange fields, and the sentence ``field`` with its message id."""
    return [
        {"item": item.model_dump(mode="json", exclude_none=True), field: _message_json(getattr(item, field))}
        for item in items
    ]


def stored_plan(run: BookingRun) -> tuple[list[Booking], list[Unbooked]]:
    """The stored bookings and unbooked doses of a finished run (empty before it is done), with their
    reasons as core messages again."""
    result = run.result or {}
    return (
        [Booking.model_validate({**b["item"], "moved": _message_from(b["moved"])}) for b in result.get("bookings", [])],
        [
            Unbooked.model_validate({**u["item"], "reason": _message_from(u["reason"])})
            for u in result.get("unbooked", [])
        ],
    )


def _expire_stale(db: Session, prescription_id: int, now: dt.datetime) -> None:
    db.execute(
        update(BookingRun)
        .where(
            BookingRun.prescription_id == prescription_id,
            BookingRun.status.in_(ACTIVE_BOOKING_RUN_STATUSES),
            BookingRun.deadline_at < now,
        )
        .values(status="failed", error=STALE_ERROR, finished_at=now)
    )


def active_run(db: Session, prescription_id: int, now: dt.datetime) -> BookingRun | None:
    """The prescription's run still queued or running (lost runs are stored as failed first), if any."""
    _expire_stale(db, prescription_id, now)
    return db.scalar(
        select(BookingRun).where(
            BookingRun.prescription_id == prescription_id,
            BookingRun.status.in_(ACTIVE_BOOKING_RUN_STATUSES),
        )
    )


def queue_booking(
    db: Session, prescription: Prescription, user_id: int, now: dt.datetime, today: dt.date
) -> tuple[BookingRun, bool]:
    """Queue a booking run for the prescription, or return the one already queued or running (``created`` False).

    The request is built now, from the center and its booked visits as they are. The caller commits and
    then hands a created run to the job runner (``runner.submit_booking``).
    """
    if prescription.status != "active":
        raise RecordProblem("A stopped prescription cannot be booked.")
    running = active_run(db, prescription.id, now)
    if running is not None:
        return running, False
    center_id = prescription.patient.center_id
    request = bookings.booking_request(db, center_id, today, [prescription])
    run = BookingRun(
        center_id=center_id,
        prescription_id=prescription.id,
        requested_by=user_id,
        status="queued",
        created_at=now,
        deadline_at=now + QUEUE_GRACE,
        time_limit_seconds=bookings.PLAN_SECONDS,
        today=today,
        request_input=json.loads(request.to_json(indent=None)),
    )
    try:
        with db.begin_nested():
            db.add(run)
    except IntegrityError:
        # Someone else's run for this prescription was queued at the same moment: show theirs.
        theirs = active_run(db, prescription.id, now)
        if theirs is None:
            raise
        return theirs, False
    return run, True


def _never() -> bool:
    return False


def plan_run(
    database: Database, clock: Callable[[], dt.datetime], run_id: int, should_abort: Callable[[], bool] = _never
) -> None:
    """Plan one queued booking run and store the outcome (called in a job worker or a web-process thread).

    The start is a versioned write, so two workers never both start the same run; every later write names
    this start (``started_at``) and ``running``, so a run meanwhile stored as lost is never flipped back.
    """
    try:
        with database.session() as db:
            run = db.get(BookingRun, run_id)
            if run is None or run.status not in ACTIVE_BOOKING_RUN_STATUSES or is_stale(run, clock()):
                return
            if run.status == "running":
                log.warning("booking run %s: its worker stopped; planning it again", run_id)
            started = clock()
            run.status, run.started_at = "running", started
            run.deadline_at = started + dt.timedelta(seconds=run.time_limit_seconds) + RUN_GRACE
            request_input, time_limit, prescription_id = run.request_input, run.time_limit_seconds, run.prescription_id
    except StaleDataError:  # another worker started it at the same moment: theirs
        return
    mine = (BookingRun.id == run_id, BookingRun.status == "running", BookingRun.started_at == started)
    values: dict[str, Any]
    try:
        plan = book(parse_request(request_input), time_limit=time_limit)
        patient = bookings.request_id(prescription_id)
        values = {
            "status": "done",
            "result": {
                "bookings": _stored([b for b in plan.bookings if b.patient == patient], "moved"),
                "unbooked": _stored([u for u in plan.unbooked if u.patient == patient], "reason"),
                "seconds": plan.summary.seconds,
            },
            "finished_at": clock(),
        }
    except Exception:  # stored on the run as a generic error, never raised (the queue would retry it)
        log.exception("booking run %s failed", run_id)
        values = {"status": "failed", "error": FAILED_ERROR, "finished_at": clock()}
    if should_abort():
        return
    with database.session() as db:
        stored = db.execute(update(BookingRun).where(*mine).values(**values))
        if not getattr(stored, "rowcount", 0):
            log.warning("booking run %s was no longer this worker's (lost or restarted); its plan is dropped", run_id)


def confirm_run(
    db: Session, run: BookingRun, prescription: Prescription, today: dt.date, by_user_id: int, at: dt.datetime
) -> list[Appointment]:
    """Write the run's stored bookings as appointments, when they still hold (else :class:`BookingConflict`).

    The run is marked confirmed in the same transaction (a versioned write: a second confirm of the same
    run fails at flush with ``StaleDataError``, which the caller answers as a conflict too).
    """
    if run.confirmed_at is not None:
        raise bookings.BookingConflict(ALREADY_CONFIRMED)
    if run.status != "done" or is_stale(run, at) or run.result is None:
        raise bookings.BookingConflict(NOT_READY)
    if prescription.status != "active":
        raise RecordProblem("A stopped prescription cannot be booked.")
    planned, unbooked = stored_plan(run)
    center_id = prescription.patient.center_id
    request = bookings.booking_request(db, center_id, today, [prescription])
    checked = replay(request, planned, unbooked)
    if checked.plan is None:
        log.info("booking run %s no longer holds: %s", run.id, "; ".join(checked.problems[:5]))
        raise bookings.BookingConflict(SCHEDULE_CHANGED)
    made = bookings.write_bookings(
        db, center_id, checked.plan, planned, [prescription], by_user_id, at, "regimen booked"
    )
    run.confirmed_at, run.confirmed_by = at, by_user_id
    db.flush()
    return made


def fail_lost_run(database: Database, run_id: int, now: dt.datetime) -> bool:
    """Store a run whose worker died twice as failed with a clear reason (the queue gives up on it)."""
    with database.session() as db:
        stored = db.execute(
            update(BookingRun)
            .where(BookingRun.id == run_id, BookingRun.status.in_(ACTIVE_BOOKING_RUN_STATUSES))
            .values(status="failed", error=WORKER_LOST_ERROR, finished_at=now)
        )
        return bool(getattr(stored, "rowcount", 0))


def expire_lost_runs(database: Database, now: dt.datetime) -> int:
    """Store every booking run past its deadline as failed (periodic work)."""
    with database.session() as db:
        stored = db.execute(
            update(BookingRun)
            .where(BookingRun.status.in_(ACTIVE_BOOKING_RUN_STATUSES), BookingRun.deadline_at < now)
            .values(status="failed", error=STALE_ERROR, finished_at=now)
        )
        return int(getattr(stored, "rowcount", 0) or 0)
