"""The running day on the board: the accepted day schedule as the input and the schedule in force of a
re-plan (:mod:`msinfusion.scheduling.addon`, :mod:`msinfusion.scheduling.repair`), and the re-planned day
written back when staff confirm it.

The accepted optimizer run of the day holds the day as planned (with the events applied so far: a
reaction's longer infusion, a nurse's earlier end) and its schedule with nurse tasks; the appointment
rows hold chairs and starts. A visit whose row no longer matches the run (cancelled, moved on the booking
pages) is left out of the re-plan. A patient past "expected" on the board keeps their chair and start.

A proposal carries a token of the day it was made from (the run's version and every visit's row
version); confirming it against a day that changed since is refused (:class:`DayChanged`, a 409).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db.day_schedule import day_and_schedule, notify_patients, row_id
from msinfusion.db.day_schedule.day import day_appointment_id, instant_at, minutes_of
from msinfusion.db.models import Appointment, Center, Chair, Patient, Prescription
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.outbox.config import MailConfig
from msinfusion.scheduling import Day, Schedule
from msinfusion.scheduling.day import Appointment as DayAppointment
from msinfusion.scheduling.day import Fixed
from msinfusion.therapies import UnknownTherapy, load_catalog
from msinfusion.visits import treatment_codes

NEW_VISIT = "NEW"
"""The day-format id of an add-on until it is stored (then ``A<row id>``)."""


NO_DAY_SCHEDULE = "This day has no accepted schedule yet. Accept one on the day schedule page first."
PAST_DAY = "This day is over; it can no longer be re-planned."


class NoLiveSchedule(Exception):
    """The day has no accepted schedule to re-plan, or it is over."""


class DayChanged(Exception):
    """The day changed after the proposal was made (answered with 409)."""


@dataclass(frozen=True)
class LiveDay:
    """The day as the board re-plans it, the schedule in force, and who each visit is."""

    job_id: int
    day: Day
    current: Schedule
    token: str
    zone: ZoneInfo
    now: int
    names: dict[str, str]
    nurses: tuple[str, ...]


def accepted_job(db: Session, center_id: int, day: date) -> ScheduleJob | None:
    """The day's accepted optimizer run (the newest one accepted)."""
    return db.scalar(
        select(ScheduleJob)
        .where(ScheduleJob.center_id == center_id, ScheduleJob.day == day, ScheduleJob.accepted_at.is_not(None))
        .order_by(ScheduleJob.accepted_at.desc(), ScheduleJob.id.desc())
        .limit(1)
    )


def _token(job: ScheduleJob, rows: Collection[Appointment]) -> str:
    parts = [f"job:{job.id}:{job.version}", *sorted(f"{r.id}:{r.version}" for r in rows)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def live_day(db: Session, center_id: int, day: date, at: datetime) -> LiveDay:
    """The day to re-plan at ``at``; raises :class:`NoLiveSchedule` when there is none."""
    job = accepted_job(db, center_id, day)
    if job is None:
        raise NoLiveSchedule(NO_DAY_SCHEDULE)
    zone = ZoneInfo(db.get_one(Center, center_id).timezone)
    today = at.astimezone(zone).date()
    if day < today:
        raise NoLiveSchedule(PAST_DAY)
    now = minutes_of(at, zone) if day == today else 0
    planned, schedule = day_and_schedule(job)
    placed = {a.appointment: a for a in schedule.assignments}
    ids = [row_id(a.id) for a in planned.appointments if a.id in placed]
    rows = {
        row.id: (row, name, chair)
        for row, name, chair in db.execute(
            select(Appointment, Patient.display_name, Chair.code)
            .join(Patient, Patient.id == Appointment.patient_id)
            .outerjoin(Chair, Chair.id == Appointment.chair_id)
            .where(Appointment.id.in_(ids))
        ).all()
    }
    kept: list[DayAppointment] = []
    names: dict[str, str] = {}
    for appointment in planned.appointments:
        assignment = placed.get(appointment.id)
        found = rows.get(row_id(appointment.id)) if assignment else None
        if assignment is None or found is None:
            continue
        row, name, chair = found
        same = (
            row.status == "booked"
            and row.center_id == center_id
            and row.day == day
            and chair == assignment.chair
            and row.starts_at is not None
            and minutes_of(row.starts_at, zone) == assignment.start
        )
        if not same:
            continue
        if row.board_state != "expected":
            appointment = appointment.model_copy(
                update={"fixed": Fixed(start=assignment.start, chair=assignment.chair)}
            )
        kept.append(appointment)
        names[appointment.id] = name
    keys = {a.id for a in kept}
    current = schedule.model_copy(
        update={
            "assignments": [a for a in schedule.assignments if a.appointment in keys],
            "unscheduled": [],
        }
    )
    live = planned.model_copy(update={"appointments": kept})
    token = _token(job, [rows[row_id(k)][0] for k in keys])
    nurses = tuple(n.id for n in planned.center.nurses)
    return LiveDay(job.id, live, current, token, zone, now, names, nurses)


def add_on_visit(db: Session, center_id: int, patient_id: int, treatment: str, earliest: int) -> DayAppointment:
    """The add-on as the scheduler places it: the center's phases for the treatment, from ``earliest``."""
    from msinfusion.db.center_catalog import center_catalog
    from msinfusion.db.clinical_records import patients_with_reactions

    patient = db.get(Patient, patient_id)
    if patient is None or patient.center_id != center_id:
        raise LookupError("That patient is not at this center.")
    if treatment not in treatment_codes():
        raise LookupError("That treatment is not in the catalog.")
    reacted = patient_id in patients_with_reactions(db, {patient_id})
    phases = center_catalog(db, center_id).phases(treatment, after_reaction=reacted)
    return DayAppointment.model_validate(
        {
            "id": NEW_VISIT,
            "patient": patient.reference,
            "treatment": treatment,
            "phases": [{"name": p.name, "minutes": p.minutes, "nurse_minutes": p.nurse_minutes} for p in phases],
            "earliest_start": earliest,
        }
    )


def _renamed(day: Day, schedule: Schedule, old: str, new: str) -> tuple[Day, Schedule]:
    appointments = [a.model_copy(update={"id": new}) if a.id == old else a for a in day.appointments]
    assignments = [
        a.model_copy(update={"appointment": new}) if a.appointment == old else a for a in schedule.assignments
    ]
    return (
        day.model_copy(update={"appointments": appointments}),
        schedule.model_copy(update={"assignments": assignments}),
    )


def apply_plan(
    db: Session,
    center_id: int,
    token: str,
    new_day: Day,
    schedule: Schedule,
    at: datetime,
    config: MailConfig,
    *,
    no_shows: Collection[str] = (),
    add_on_patient: int | None = None,
) -> list[Appointment]:
    """Write a confirmed re-plan: chairs and starts to the rows, the day and schedule to the run, and a
    notice to each patient whose time was set or changed. Returns the rows written.

    Raises :class:`DayChanged` when the day is not the one the proposal was made from, or the database
    refuses the change (a chair taken meanwhile); the caller rolls back.
    """
    day = new_day.center.date
    live = live_day(db, center_id, day, at)
    if live.token != token:
        raise DayChanged(
            "The day changed after this proposal was made (a step, a visit or the schedule). Nothing was changed."
        )
    job = db.get_one(ScheduleJob, live.job_id)
    keys = [a.id for a in live.day.appointments]
    rows = {row_id(k): db.get_one(Appointment, row_id(k)) for k in keys}
    if add_on_patient is not None:
        added = _store_add_on(db, center_id, add_on_patient, new_day, day)
        rows[added.id] = added
        new_day, schedule = _renamed(new_day, schedule, NEW_VISIT, day_appointment_id(added.id))
    before = {identifier: row.starts_at for identifier, row in rows.items()}
    chairs = {c.code: c.id for c in db.scalars(select(Chair).where(Chair.center_id == center_id)).all()}
    placed = {row_id(a.appointment): a for a in schedule.assignments}
    try:
        for row in rows.values():  # free every chair first: a swap would collide half-way
            row.chair_id = None
        db.flush()
        for identifier, row in rows.items():
            assignment = placed.get(identifier)
            if day_appointment_id(identifier) in no_shows:
                row.status = "no_show"
            if assignment is None:
                row.starts_at = row.ends_at = None
                continue
            row.chair_id = chairs[assignment.chair]
            row.starts_at = instant_at(day, assignment.start, live.zone)
            row.ends_at = instant_at(day, assignment.end, live.zone)
        kept = {a.id for a in new_day.appointments} - set(no_shows)
        job.day_input = json.loads(
            new_day.model_copy(update={"appointments": [a for a in new_day.appointments if a.id in kept]}).to_json()
        )
        job.result = json.loads(schedule.to_json())
        db.flush()
        versions = dict(job.appointment_versions)
        versions.update({day_appointment_id(i): r.version for i, r in rows.items()})
        job.appointment_versions = versions
        db.flush()
    except (IntegrityError, StaleDataError):
        raise DayChanged(
            "Someone changed this day at the same moment, so nothing was saved. Please try again."
        ) from None
    notify_patients(db, list(rows.values()), before, config, at)
    return list(rows.values())


def add_on_prescription(db: Session, patient_id: int, treatment: str) -> int | None:
    """The patient's newest active prescription of the add-on treatment's therapy, if any (a prescription
    may name its therapy by id, brand or generic name)."""
    therapy = treatment_codes()[treatment].therapy
    catalog = load_catalog()
    for prescription_id, named in db.execute(
        select(Prescription.id, Prescription.therapy_id)
        .where(Prescription.patient_id == patient_id, Prescription.status == "active")
        .order_by(Prescription.id.desc())
    ):
        try:
            if catalog.get(named).id == therapy:
                return int(prescription_id)
        except UnknownTherapy:
            continue
    return None


def _store_add_on(db: Session, center_id: int, patient_id: int, new_day: Day, day: date) -> Appointment:
    visit = next(a for a in new_day.appointments if a.id == NEW_VISIT)
    row = Appointment(
        center_id=center_id,
        patient_id=patient_id,
        prescription_id=add_on_prescription(db, patient_id, visit.treatment),
        treatment=visit.treatment,
        day=day,
        status="booked",
    )
    db.add(row)
    db.flush()
    return row
