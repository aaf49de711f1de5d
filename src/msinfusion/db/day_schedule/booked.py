"""The day as booked: the booking engine's visits at their booked starts and chairs, as a schedule.

A day booked by the booking engine has a start and a chair for every visit but no optimizer run. To
compare it with a proposal (the what-if page), every visit with a booked start is pinned to that start
and its chair (the format's ``fixed``), and the greedy baseline gives out the nurse tasks first come,
first served. A visit whose booked place breaks a rule of the day (no nurse free for a task, a chair
without the features it needs) is left unscheduled with the reason, as in any schedule.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.day_schedule.day import build_day, day_appointment_id
from msinfusion.db.models import Appointment, CenterHours, Chair
from msinfusion.scheduling import Day, Fixed, Schedule, solve
from msinfusion.scheduling.durations import Basis


def has_booked_visits(db: Session, center_id: int, day: date) -> bool:
    """Whether the center is open on ``day`` and holds a booked visit with a start on it."""
    open_hours = db.scalar(
        select(CenterHours.center_id).where(CenterHours.center_id == center_id, CenterHours.weekday == day.weekday())
    )
    visit = db.scalar(
        select(Appointment.id)
        .where(
            Appointment.center_id == center_id,
            Appointment.day == day,
            Appointment.status == "booked",
            Appointment.starts_at.is_not(None),
        )
        .limit(1)
    )
    return open_hours is not None and visit is not None


def booked_day(db: Session, center_id: int, day: date, basis: Basis = "label") -> tuple[Day, Schedule]:
    """The day (durations planned on ``basis``) and its schedule with every visit at its booked place."""
    built = build_day(db, center_id, day, basis).day
    rows = db.execute(
        select(Appointment.id, Chair.code)
        .join(Chair, Chair.id == Appointment.chair_id)
        .where(Appointment.center_id == center_id, Appointment.day == day, Appointment.status == "booked")
    ).all()
    chair_of = {day_appointment_id(row): code for row, code in rows}
    pinned = [
        a.model_copy(update={"fixed": Fixed(start=a.preferred_start, chair=chair_of.get(a.id))})
        if a.preferred_start is not None
        else a
        for a in built.appointments
    ]
    pinned_day = built.model_copy(update={"appointments": pinned})
    return pinned_day, solve(pinned_day, solver="greedy")
