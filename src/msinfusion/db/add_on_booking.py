"""An add-on that does not fit today, booked on the center's next open day instead (the board's
"another day" alternative, :mod:`msinfusion.scheduling.addon`).

The next open day is the first date after the board's day on which the center is open (weekday hours
with nurses on shift, no public holiday, no closure of its own; :class:`~msinfusion.booking.openings.OpenDays`),
within :data:`SEARCH_DAYS`. Its visits keep their booked starts and chairs (:func:`day_as_booked`).
Confirming writes one booked visit like any single booking
(:func:`msinfusion.db.visit_changes.write_visit`), after checking that the day is still the one the
proposal was made from (:func:`day_token`) and still open.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from msinfusion.booking.openings import OpenDays
from msinfusion.db import bookings
from msinfusion.db.day_schedule import DayClosed, booked_day
from msinfusion.db.day_schedule.day import instant_at
from msinfusion.db.live_day import DayChanged, NoLiveSchedule, accepted_job, add_on_prescription, live_day
from msinfusion.db.models import Appointment, Center
from msinfusion.db.visit_changes import closed_reason, write_visit
from msinfusion.scheduling import Day, Schedule
from msinfusion.scheduling.day import Fixed
from msinfusion.scheduling.schedule import Assignment

SEARCH_DAYS = 31
"""How far after the board's day the next open day is looked for (a center open once a month still has one)."""
BOOKED_FROM_BOARD = "add-on from the day board, booked on the next open day"
"""The reason recorded with the ``book`` change of such a visit."""


@dataclass(frozen=True)
class NextDay:
    """The next open day as booked: its day and schedule, and the token a confirmation must match."""

    date: date
    day: Day
    schedule: Schedule
    token: str


def next_open_day(db: Session, center_id: int, after: date) -> date | None:
    """The first date after ``after`` on which the center is open, or None within :data:`SEARCH_DAYS`."""
    last = after + timedelta(days=SEARCH_DAYS)
    openings = OpenDays(bookings.booking_center(db, center_id), after, last)
    return next((d for n in range(1, SEARCH_DAYS + 1) if openings.is_open(d := after + timedelta(days=n))), None)


def day_token(db: Session, center_id: int, day: date) -> str:
    """A token of the day's booked visits (each row's version) and its accepted run, if any."""
    rows = db.execute(
        select(Appointment.id, Appointment.version).where(
            Appointment.center_id == center_id, Appointment.day == day, Appointment.status == "booked"
        )
    ).all()
    job = accepted_job(db, center_id, day)
    parts = [f"day:{day.isoformat()}", f"job:{job.id}:{job.version}" if job else "job:-"]
    parts += sorted(f"{identifier}:{version}" for identifier, version in rows)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def day_as_booked(db: Session, center_id: int, day: date, at: datetime) -> tuple[Day, Schedule]:
    """The day with every visit pinned at its booked start and chair, and its schedule.

    When the day has an accepted run that holds every visit with a time (nobody booked or moved on the
    booking pages since), that run is the schedule, as it is on the board; otherwise the visits are
    taken as booked (:func:`~msinfusion.db.day_schedule.booked_day`, the greedy baseline giving out the
    nurse tasks). Raises :class:`DayClosed` on a day without opening hours.
    """
    try:
        live = live_day(db, center_id, day, at)
    except NoLiveSchedule:
        return _without_unplaced(*booked_day(db, center_id, day))
    timed = db.scalar(
        select(func.count())
        .select_from(Appointment)
        .where(
            Appointment.center_id == center_id,
            Appointment.day == day,
            Appointment.status == "booked",
            Appointment.starts_at.is_not(None),
        )
    )
    if timed != len(live.day.appointments):
        return _without_unplaced(*booked_day(db, center_id, day))
    placed = {a.appointment: a for a in live.current.assignments}
    pinned = [
        a.model_copy(update={"fixed": Fixed(start=placed[a.id].start, chair=placed[a.id].chair)})
        for a in live.day.appointments
    ]
    return live.day.model_copy(update={"appointments": pinned}), live.current


def next_day(db: Session, center_id: int, after: date, at: datetime) -> NextDay | None:
    """The next open day after ``after`` as booked, or None when there is none to offer."""
    found = next_open_day(db, center_id, after)
    if found is None:
        return None
    try:
        day, schedule = day_as_booked(db, center_id, found, at)
    except DayClosed:
        return None
    return NextDay(found, day, schedule, day_token(db, center_id, found))


def book_add_on(
    db: Session,
    center_id: int,
    patient_id: int,
    treatment: str,
    day: date,
    placed: Assignment,
    by_user_id: int,
    at: datetime,
) -> Appointment:
    """Book the add-on on ``day`` at the chair and times of ``placed``.

    Raises :class:`DayChanged` when the center is closed that day now; the flush inside raises
    ``IntegrityError`` when the chair was taken at that time meanwhile (the caller answers 409).
    """
    closed = closed_reason(db, center_id, day)
    if closed is not None:
        raise DayChanged(closed)
    zone = ZoneInfo(db.get_one(Center, center_id).timezone)
    row = Appointment(
        center_id=center_id,
        patient_id=patient_id,
        prescription_id=add_on_prescription(db, patient_id, treatment),
        treatment=treatment,
        day=day,
        starts_at=instant_at(day, placed.start, zone),
        ends_at=instant_at(day, placed.end, zone),
        chair_id=bookings.chair_id(db, center_id, placed.chair),
        status="booked",
    )
    return write_visit(db, row, by_user_id, at, BOOKED_FROM_BOARD)


def _without_unplaced(day: Day, schedule: Schedule) -> tuple[Day, Schedule]:
    """The day as booked without the booked visits its schedule could not place (a nurse short at their
    time), and without the chairs only they hold: those visits keep their chairs in the database, so an
    add-on must not be offered there. A chair they share with a placed visit stays; the database's
    no-double-booking guard then refuses a clash on confirm (409, nothing written)."""
    placed = {a.appointment for a in schedule.assignments}
    unplaced = [a for a in day.appointments if a.id not in placed]
    if not unplaced:
        return day, schedule
    used = {a.chair for a in schedule.assignments}
    held = {a.fixed.chair for a in unplaced if a.fixed is not None and a.fixed.chair is not None} - used
    center = day.center.model_copy(update={"chairs": [c for c in day.center.chairs if c.id not in held]})
    kept = [a for a in day.appointments if a.id in placed]
    listed = schedule.model_copy(update={"unscheduled": [u for u in schedule.unscheduled if u.appointment in placed]})
    return day.model_copy(update={"center": center, "appointments": kept}), listed
