"""Single visits: book, move or cancel one visit, checked against the label rules and the open days.

:func:`rule_breaks` asks the dose calendar of ``regimens.py`` about the requested date (its window and
minimum interval checks, given the doses given and the prescription's earlier booked visits) and the
center's open days (weekday hours, public holidays). A visit that breaks one is refused unless a
clinician gives a reason; it is then kept as an ``exception`` :class:`VisitChange`, which the staff
pages flag. Every change is a :class:`VisitChange` row; the caller's unit of work audits it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.booking.openings import OpenDays
from msinfusion.db import bookings
from msinfusion.db.booking_models import VisitChange
from msinfusion.db.center_catalog import prescription_therapy
from msinfusion.db.models import Appointment, Center, Prescription
from msinfusion.db.patient_plan import PatientPlan
from msinfusion.i18n import N_, Message
from msinfusion.plan import PersonalPlan
from msinfusion.prescriptions import RecordProblem, calendar_horizon, prescription_calendar
from msinfusion.regimens import RegimenError, dose_calendar


def closed_reason(db: Session, center_id: int, day: dt.date) -> str | None:
    """Why the center is closed on ``day`` (weekday, public holiday), or None when it is open."""
    return OpenDays(bookings.booking_center(db, center_id), day, day).why_closed(day)


def rule_breaks(
    db: Session, prescription: Prescription, dose: int, day: dt.date, today: dt.date, jurisdiction: str
) -> list[str]:
    """The label rules and open-day rules a visit for ``dose`` on ``day`` breaks, in words (empty: none).

    The dose calendar of ``regimens.py`` decides, given the doses given and the prescription's other
    booked visits (its ``requested`` date check names a window or minimum interval broken).
    """
    booked = {n: d for n, d in bookings.booked_dates(db, prescription, today).items() if n < dose}
    given = sorted({g.given_on for g in prescription.given_doses} | set(booked.values()))
    breaks: list[str] = []
    try:
        requested = dose_calendar(
            prescription_therapy(db, prescription),
            prescription.start_date,
            max(calendar_horizon(prescription.start_date, today), day),
            given,
            bsa=prescription.options.get("bsa"),
            jurisdiction=jurisdiction,
            as_of=today,
            requested={dose: day},
        )
        breaks.extend(w for w in requested.warnings if w.startswith("requested date"))
    except RegimenError as exc:
        breaks.append(str(exc))
    closed = closed_reason(db, prescription.patient.center_id, day)
    if closed is not None:
        breaks.append(Message(N_("{due}: {closed}"), due=day.isoformat(), closed=closed))
    return breaks


def _check_or_excuse(breaks: list[str], reason: str) -> None:
    if breaks and len(reason.strip()) < 3:
        listed = breaks[0]
        for more in breaks[1:]:
            listed = Message(N_("{first}; {then}"), first=listed, then=more)
        raise RecordProblem(
            Message(N_("This visit breaks a rule: {breaks}. Give a clinical reason to book it anyway."), breaks=listed)
        )


def write_visit(
    db: Session, appointment: Appointment, by_user_id: int | None, at: dt.datetime, reason: str = ""
) -> Appointment:
    """Write a new booked visit with its ``book`` change. The flush is where the database refuses a chair
    taken at that time (``IntegrityError``: the caller answers 409 and writes nothing)."""
    db.add(appointment)
    db.flush()
    db.add(VisitChange(appointment_id=appointment.id, kind="book", reason=reason, user_id=by_user_id, created_at=at))
    return appointment


def book_visit(
    db: Session,
    prescription: Prescription,
    dose: int,
    day: dt.date,
    start: dt.time,
    chair: str,
    today: dt.date,
    jurisdiction: str,
    by_user_id: int,
    at: dt.datetime,
    clinical_reason: str = "",
) -> Appointment:
    """Book one dose on a date, start and chair; a rule break needs a clinical reason and is flagged."""
    if dose in bookings.booked_dates(db, prescription, today):
        raise RecordProblem(f"Dose {dose} is already booked. Move that visit instead.")
    breaks = rule_breaks(db, prescription, dose, day, today, jurisdiction)
    _check_or_excuse(breaks, clinical_reason)
    calendar = prescription_calendar(
        prescription_therapy(db, prescription),
        prescription.start_date,
        [g.given_on for g in prescription.given_doses],
        today,
        bsa=prescription.options.get("bsa"),
        jurisdiction=jurisdiction,
    )
    treatment = next((d.treatment for d in calendar.doses if d.number == dose), None)
    if treatment is None:
        raise RecordProblem(f"Dose {dose} is not in this prescription's calendar.")
    center = db.get_one(Center, prescription.patient.center_id)
    begins = bookings.instant(day, start, ZoneInfo(center.timezone))
    appointment = write_visit(
        db,
        Appointment(
            center_id=center.id,
            patient_id=prescription.patient_id,
            prescription_id=prescription.id,
            dose_index=dose,
            treatment=treatment,
            day=day,
            starts_at=begins,
            ends_at=begins + dt.timedelta(minutes=bookings.span(db, center.id, treatment)),
            chair_id=bookings.chair_id(db, center.id, chair),
        ),
        by_user_id,
        at,
    )
    if breaks:
        db.add(
            VisitChange(
                appointment_id=appointment.id,
                kind="exception",
                reason=clinical_reason.strip(),
                rules=breaks,
                user_id=by_user_id,
                created_at=at,
            )
        )
    db.flush()
    return appointment


def move_visit(
    db: Session,
    appointment: Appointment,
    day: dt.date,
    start: dt.time,
    chair: str,
    today: dt.date,
    jurisdiction: str,
    by_user_id: int,
    at: dt.datetime,
    clinical_reason: str = "",
) -> Appointment:
    """Move a booked visit to another date, start or chair, re-checked against the label rules."""
    if appointment.status != "booked":
        raise RecordProblem("Only a booked visit can be moved.")
    prescription = db.get(Prescription, appointment.prescription_id) if appointment.prescription_id else None
    breaks: list[str] = []
    if prescription is not None and appointment.dose_index is not None:
        breaks = rule_breaks(db, prescription, appointment.dose_index, day, today, jurisdiction)
    else:
        closed = closed_reason(db, appointment.center_id, day)
        breaks = [Message(N_("{due}: {closed}"), due=day.isoformat(), closed=closed)] if closed else []
    _check_or_excuse(breaks, clinical_reason)
    center = db.get_one(Center, appointment.center_id)
    before = {
        "day": appointment.day.isoformat(),
        "starts_at": appointment.starts_at.isoformat() if appointment.starts_at else None,
        "chair": appointment.chair.code if appointment.chair else None,
    }
    begins = bookings.instant(day, start, ZoneInfo(center.timezone))
    span = bookings.span(db, center.id, appointment.treatment)
    chair_id = bookings.chair_id(db, center.id, chair)
    appointment.day = day
    appointment.starts_at = begins
    appointment.ends_at = begins + dt.timedelta(minutes=span)
    appointment.chair_id = chair_id
    appointment.board_state = "expected"
    db.add(VisitChange(appointment_id=appointment.id, kind="move", before=before, user_id=by_user_id, created_at=at))
    if breaks:
        db.add(
            VisitChange(
                appointment_id=appointment.id,
                kind="exception",
                reason=clinical_reason.strip(),
                rules=breaks,
                user_id=by_user_id,
                created_at=at,
            )
        )
    db.flush()
    return appointment


def cancel_visit(db: Session, appointment: Appointment, reason: str, by_user_id: int, at: dt.datetime) -> None:
    """Cancel a booked visit with a reason (its chair is free again; the patient's copy is cancelled)."""
    if appointment.status != "booked":
        raise RecordProblem("Only a booked visit can be cancelled.")
    if len(reason.strip()) < 3:
        raise RecordProblem("Give a reason for the cancellation.")
    appointment.status = "cancelled"
    db.add(
        VisitChange(
            appointment_id=appointment.id,
            kind="cancel",
            reason=reason.strip(),
            before={"day": appointment.day.isoformat()},
            user_id=by_user_id,
            created_at=at,
        )
    )
    db.flush()


def exceptions(db: Session, appointment_ids: list[int]) -> dict[int, VisitChange]:
    """The newest clinician-accepted rule break of each visit that has one (the flag on the pages)."""
    found: dict[int, VisitChange] = {}
    if not appointment_ids:
        return found
    for row in db.scalars(
        select(VisitChange)
        .where(VisitChange.appointment_id.in_(appointment_ids), VisitChange.kind == "exception")
        .order_by(VisitChange.created_at, VisitChange.id)
    ):
        found[row.appointment_id] = row
    return found


def cancelled_visit(
    db: Session, view: PatientPlan, appointment_id: int
) -> tuple[PersonalPlan, str, dt.datetime, dt.datetime, int] | None:
    """A cancelled visit of the patient whose dose is not booked again: its plan, UID, times and SEQUENCE."""
    appointment = db.get(Appointment, appointment_id)
    if appointment is None or appointment.patient_id != view.patient.id or appointment.status != "cancelled":
        return None
    for owner in view.all_plans:
        plan = owner.plan
        if plan is None or owner.prescription is None or appointment.prescription_id != owner.prescription.id:
            continue
        visit = next((v for v in plan.visits if v.number == appointment.dose_index), None)
        if visit is None or owner.appointment_for(visit) is not None:
            return None
        zone = ZoneInfo(plan.center.timezone)
        start = (appointment.starts_at or dt.datetime.combine(appointment.day, dt.time(9, 0), zone)).astimezone(zone)
        finish = (appointment.ends_at or start + (visit.times.finish - visit.times.start)).astimezone(zone)
        return plan, visit.uid, start, finish, visit.sequence + 1
    return None
