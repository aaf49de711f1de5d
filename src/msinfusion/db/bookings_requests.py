"""Patients' requests to change a booked visit, and the staff decision on each.

A patient asks (:func:`ask_change`): dates they cannot come, morning or afternoon, a short note. Staff
see the open requests of their center with the engine's alternatives (:func:`request_options`, from
:mod:`msinfusion.db.bookings_alternatives`: label rules hard, the patient's dates never offered) and
accept one (:func:`accept` moves the visit through :func:`msinfusion.db.visit_changes.move_visit`, so
the label rules are checked again and the move is a :class:`VisitChange`) or decline with a reason the
patient reads (:func:`decline`). The caller audits and sends the notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db import visit_changes
from msinfusion.db.booking_models import ChangeRequest
from msinfusion.db.bookings_alternatives import VisitOption, parse_option, visit_options
from msinfusion.db.models import Appointment, Prescription
from msinfusion.prescriptions import RecordProblem


def _(message: str) -> str:
    """Mark ``message`` for the Spanish catalog; the page translates it when it shows it."""
    return message


MAX_DATES = 14
"""How many dates a patient may list in one request."""

TIMES_OF_DAY = ("morning", "afternoon")
TimeOfDay = Literal["morning", "afternoon"]


def open_request(db: Session, appointment_id: int) -> ChangeRequest | None:
    """The visit's open request, if any."""
    return db.scalar(
        select(ChangeRequest).where(ChangeRequest.appointment_id == appointment_id, ChangeRequest.state == "open")
    )


def latest_by_appointment(db: Session, patient_id: int) -> dict[int, ChangeRequest]:
    """The newest request on each of the patient's visits (what the plan page tells the patient)."""
    found: dict[int, ChangeRequest] = {}
    for row in db.scalars(
        select(ChangeRequest).where(ChangeRequest.patient_id == patient_id).order_by(ChangeRequest.id)
    ):
        found[row.appointment_id] = row
    return found


def ask_change(
    db: Session,
    appointment: Appointment,
    unavailable: list[dt.date],
    time_of_day: str | None,
    note: str,
    today: dt.date,
    at: dt.datetime,
) -> ChangeRequest:
    """Record a patient's request to change ``appointment`` (RecordProblem: why not)."""
    if appointment.status != "booked" or appointment.day <= today:
        raise RecordProblem(_("Only a visit booked for a later day can be changed."))
    if open_request(db, appointment.id) is not None:
        raise RecordProblem(_("You already asked to change this visit. The center will answer soon."))
    days = sorted(set(unavailable))
    if len(days) > MAX_DATES:
        raise RecordProblem(_("List at most 14 dates."))  # MAX_DATES
    if any(day < today for day in days):
        raise RecordProblem(_("The dates you cannot come must be today or later."))
    if time_of_day not in (None, *TIMES_OF_DAY):
        raise RecordProblem(_("Choose morning, afternoon or no preference."))
    if not days and time_of_day is None and not note.strip():
        raise RecordProblem(_("Tell us what to change: a date you cannot come, a time of day or a note."))
    row = ChangeRequest(
        appointment_id=appointment.id,
        patient_id=appointment.patient_id,
        center_id=appointment.center_id,
        state="open",
        unavailable=[day.isoformat() for day in days],
        time_of_day=time_of_day,
        note=note.strip(),
        created_at=at,
        decision_reason="",
        moved_to={},
    )
    db.add(row)
    db.flush()
    return row


def open_requests(db: Session, center_id: int) -> list[ChangeRequest]:
    """The center's open requests, oldest first."""
    return list(
        db.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.center_id == center_id, ChangeRequest.state == "open")
            .order_by(ChangeRequest.created_at, ChangeRequest.id)
        )
    )


def request_options(
    db: Session, request: ChangeRequest, today: dt.date, jurisdiction: str, count: int = 3
) -> list[VisitOption]:
    """The engine's alternatives for the request's visit, meeting the patient's wishes (best first)."""
    appointment = db.get_one(Appointment, request.appointment_id)
    if appointment.prescription_id is None or appointment.dose_index is None or appointment.status != "booked":
        return []
    prescription = db.get_one(Prescription, appointment.prescription_id)
    return visit_options(
        db,
        prescription,
        appointment.dose_index,
        today,
        jurisdiction,
        leave_out=appointment,
        unavailable=[dt.date.fromisoformat(d) for d in request.unavailable],
        time_of_day=cast("TimeOfDay | None", request.time_of_day),
        count=count,
    )


def accept(
    db: Session,
    request: ChangeRequest,
    option: str,
    today: dt.date,
    jurisdiction: str,
    by_user_id: int,
    at: dt.datetime,
) -> Appointment:
    """Move the visit to ``option`` (a :attr:`VisitOption.key`), re-checked against the label rules."""
    if request.state != "open":
        raise RecordProblem("This request was already answered.")
    try:
        day, start, chair = parse_option(option)
    except ValueError:
        raise RecordProblem("Choose one of the proposed times.") from None
    if day.isoformat() in request.unavailable:
        raise RecordProblem("The patient cannot come on that date.")
    appointment = db.get_one(Appointment, request.appointment_id)
    visit_changes.move_visit(db, appointment, day, start, chair, today, jurisdiction, by_user_id, at)
    request.state = "accepted"
    request.decided_by, request.decided_at = by_user_id, at
    request.moved_to = {"day": day.isoformat(), "start": start.strftime("%H:%M"), "chair": chair}
    db.flush()
    return appointment


def decline(db: Session, request: ChangeRequest, reason: str, by_user_id: int, at: dt.datetime) -> None:
    """Keep the visit as it is and tell the patient why (the reason is shown on their plan)."""
    if request.state != "open":
        raise RecordProblem("This request was already answered.")
    if len(reason.strip()) < 3:
        raise RecordProblem("Give the patient a reason of at least 3 characters.")
    request.state = "declined"
    request.decided_by, request.decided_at = by_user_id, at
    request.decision_reason = reason.strip()
    db.flush()
