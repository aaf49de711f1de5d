"""Changing a stored day schedule: accepting a run (chairs and starts written to the appointments),
keeping a hand move of one visit (:mod:`msinfusion.scheduling.edits`) on the run, and telling the
patients whose visit time was set or changed (:func:`notify_patients`, in the same transaction).
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db.day_schedule.day import instant_at, row_id
from msinfusion.db.models import Appointment, Center, Chair
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.i18n import N_
from msinfusion.outbox.config import MailConfig
from msinfusion.outbox.producers import enqueue_visit_notice
from msinfusion.reminders.messages import VisitChange
from msinfusion.scheduling import Day, Schedule, parse_day, parse_schedule
from msinfusion.scheduling.edits import UnknownVisit, move_visit


class ScheduleConflict(Exception):
    """The schedule can no longer be written as it is (answered with 409 and this message, which the page
    translates: the fixed messages are marked with ``N_``)."""


def day_and_schedule(job: ScheduleJob) -> tuple[Day, Schedule]:
    """The run's input day and its (possibly moved) schedule."""
    if job.result is None:
        raise ScheduleConflict(N_("This run has no schedule yet."))
    return parse_day(job.day_input), parse_schedule(job.result)


def accept(db: Session, job: ScheduleJob, user_id: int, now: datetime) -> list[Appointment]:
    """Write the run's chairs and starts to its appointments in the caller's transaction.

    Appointments left unscheduled lose any chair they held. Raises :class:`ScheduleConflict` when an
    appointment changed since the run (it was cancelled, moved or booked again), or when the database
    refuses a chair because another booking holds it; the caller rolls back.
    """
    if job.accepted_at is not None:
        raise ScheduleConflict(N_("This schedule was already accepted."))
    day, schedule = day_and_schedule(job)
    center = db.get_one(Center, job.center_id)
    zone = ZoneInfo(center.timezone)
    ids = {row_id(key): version for key, version in job.appointment_versions.items()}
    rows = {a.id: a for a in db.scalars(select(Appointment).where(Appointment.id.in_(ids))).all()}
    for identifier, version in ids.items():
        row = rows.get(identifier)
        if row is None or row.status != "booked" or row.version != version or row.center_id != job.center_id:
            raise ScheduleConflict(
                N_(
                    "Some appointments of this day changed after the optimizer ran (booked, moved or cancelled). "
                    "Run the optimizer again to schedule the day as it is now."
                )
            )
    chairs = {c.code: c.id for c in db.scalars(select(Chair).where(Chair.center_id == job.center_id)).all()}
    placed = {a.appointment: a for a in schedule.assignments}
    gone = sorted({a.chair for a in placed.values()} - set(chairs))
    if gone:
        raise ScheduleConflict(
            f"Chair {', '.join(gone)} is no longer at this center. Run the optimizer again for the chairs you have now."
        )
    try:
        # Free every chair first: the database checks each row as it changes, so a swap of two
        # appointments' chairs would otherwise collide half-way.
        for row in rows.values():
            row.chair_id = None
        db.flush()
        for key, assignment in placed.items():
            row = rows[row_id(key)]
            row.chair_id = chairs[assignment.chair]
            row.starts_at = instant_at(day.center.date, assignment.start, zone)
            row.ends_at = instant_at(day.center.date, assignment.end, zone)
        for row in rows.values():
            if row.chair_id is None:
                row.starts_at = row.ends_at = None
        job.accepted_at, job.accepted_by = now, user_id
        db.flush()
        # Later moves are accepted again against the rows as they are now.
        job.appointment_versions = {key: rows[row_id(key)].version for key in job.appointment_versions}
    except IntegrityError:
        raise ScheduleConflict(
            N_(
                "Another booking now holds a chair this schedule uses, so nothing was saved. "
                "Run the optimizer again to schedule the day as it is now."
            )
        ) from None
    except StaleDataError:
        raise ScheduleConflict(
            N_("Someone changed these appointments at the same moment, so nothing was saved. Please try again.")
        ) from None
    return list(rows.values())


def moved(job: ScheduleJob, appointment: str, chair: str, start: int) -> tuple[Schedule, list[str]]:
    """The run's schedule with one appointment moved (see :func:`move_visit`); nothing is stored here."""
    day, schedule = day_and_schedule(job)
    try:
        return move_visit(day, schedule, appointment, chair, start)
    except UnknownVisit:
        raise ScheduleConflict(N_("That appointment is not part of this run.")) from None


def store_move(job: ScheduleJob, schedule: Schedule) -> None:
    """Keep a checked move on the run; an accepted run must be accepted again to write the move."""
    job.result = json.loads(schedule.to_json())
    job.moves += 1
    job.accepted_at = job.accepted_by = None


def current_starts(db: Session, job: ScheduleJob) -> dict[int, datetime | None]:
    """The check-in time each appointment of the run has now (read before :func:`accept` changes them)."""
    ids = [row_id(key) for key in job.appointment_versions]
    rows = db.execute(select(Appointment.id, Appointment.starts_at).where(Appointment.id.in_(ids))).all()
    return {identifier: starts_at for identifier, starts_at in rows}


def notify_patients(
    db: Session,
    rows: list[Appointment],
    before: dict[int, datetime | None],
    config: MailConfig,
    now: datetime,
) -> int:
    """Queue a notice for each visit that got a time ("booked") or a new time ("moved"); returns how many.

    Call it in the transaction that accepted the schedule, so the notices commit with it or not at all.
    A visit that lost its time (left unscheduled) gets no notice: there is no true time to tell.
    """
    queued = 0
    for row in rows:
        previous = before.get(row.id)
        if row.starts_at is None or row.starts_at == previous:
            continue
        change: VisitChange = "booked" if previous is None else "moved"
        queued += enqueue_visit_notice(db, row, change, config, now, previous_start=previous)
    return queued
