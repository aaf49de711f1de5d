"""The visit lifecycle for staff: stop or edit a prescription, book, move or cancel a visit (a whole
regimen is planned in the background and confirmed in :mod:`.booking_runs`). The engine and the label
rules decide (:mod:`msinfusion.db.bookings`); every change is audited and reaches the patient: plan,
calendar files, feed and a notice in the outbox.

Every visit change goes through :func:`msinfusion.web.booking_changes.change_visit`: check the row's
version, let the engine and the label rules decide, answer 422 (a rule, named) or 409 (a stale version or
a chair taken meanwhile), else audit, queue the patient's notice in the same transaction, and go back.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from msinfusion.db import prescription_changes, visit_changes
from msinfusion.db.bookings_alternatives import parse_option, visit_options
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Appointment, Center, Prescription
from msinfusion.db.prescription_changes import EditIn, StopIn
from msinfusion.limits import BrowserText, ClinicalDay, max_chars
from msinfusion.prescriptions import RecordProblem
from msinfusion.web.booking_changes import (
    CHOOSE_OPTION,
    CHOOSE_PLACE,
    MAX_VERSION,
    change_visit,
    problem,
    visit_changed,
)
from msinfusion.web.dependencies import AppSettings, Mail, Now, Principal
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/staff", include_in_schema=False)


def _back(patient_id: int, anchor: str, saved: str | None = None) -> RedirectResponse:
    query = f"?saved={saved}" if saved else ""
    return RedirectResponse(f"/staff/patients/{patient_id}{query}#{anchor}", status_code=303)


@router.post("/prescriptions/{prescription_id}/stop")
def stop_prescription(
    request: Request,
    prescription_id: int,
    stop_on: Annotated[ClinicalDay, Form()],
    reason: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("stop", "prescription")],
    at: Now,
) -> Response:
    prescription = work.db.get_one(Prescription, prescription_id)
    back = f"/staff/patients/{prescription.patient_id}#prescription-{prescription.id}"
    try:
        change = prescription_changes.stop_prescription(
            work.db, prescription, StopIn(stop_on=stop_on, reason=reason), principal.user_id, at
        )
    except (RecordProblem, ValidationError) as exc:
        message = str(exc) if isinstance(exc, RecordProblem) else "Give a reason of at least 3 characters."
        return problem(request, work, message, back)
    work.audit(
        object_id=prescription.id,
        patient_id=prescription.patient_id,
        details={"stop_on": stop_on.isoformat(), "change": change.id},
    )
    return _back(prescription.patient_id, f"prescription-{prescription.id}", "stopped")


@router.post("/prescriptions/{prescription_id}/edit")
def edit_prescription(
    request: Request,
    prescription_id: int,
    start_date: Annotated[ClinicalDay, Form()],
    reason: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("update", "prescription")],
    at: Now,
    settings: AppSettings,
    bsa: Annotated[BrowserText, Form(max_length=max_chars("prescription.bsa"))] = "",
) -> Response:
    prescription = work.db.get_one(Prescription, prescription_id)
    back = f"/staff/patients/{prescription.patient_id}#prescription-{prescription.id}"
    try:
        edit = EditIn(start_date=start_date, bsa=float(bsa) if bsa.strip() else None, reason=reason)
        change = prescription_changes.edit_prescription(
            work.db, prescription, edit, principal.user_id, at, settings.jurisdiction
        )
    except (RecordProblem, ValidationError, ValueError) as exc:
        message = (
            str(exc) if isinstance(exc, RecordProblem) else "Check the date, the body surface area and the reason."
        )
        return problem(request, work, message, back)
    work.audit(object_id=prescription.id, patient_id=prescription.patient_id, details={"change": change.id})
    return _back(prescription.patient_id, f"prescription-{prescription.id}", "edited")


@router.post("/prescriptions/{prescription_id}/visits")
def book_visit(
    request: Request,
    prescription_id: int,
    dose: Annotated[int, Form(ge=1, le=1000)],
    day: Annotated[ClinicalDay, Form()],
    start: Annotated[time, Form()],
    chair: Annotated[BrowserText, Form(max_length=max_chars("schedule.chair"))],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("create", "appointment")],
    at: Now,
    settings: AppSettings,
    mail: Mail,
    clinical_reason: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))] = "",
) -> Response:
    """Book one dose: the engine's suggestion from the preview, or a manual choice checked the same way."""
    prescription = work.db.get_one(Prescription, prescription_id)
    today = center_today(work.db, principal.center_id, at)
    made = change_visit(
        request,
        work,
        f"/staff/prescriptions/{prescription.id}/booking",
        lambda: visit_changes.book_visit(
            work.db,
            prescription,
            dose,
            day,
            start,
            chair,
            today,
            settings.jurisdiction,
            principal.user_id,
            at,
            clinical_reason,
        ),
    )
    if isinstance(made, Response):
        return made
    details = {"dose": dose, "day": day.isoformat(), "exception": bool(clinical_reason.strip())}
    visit_changed(work, made, "booked", mail, at, details=details)
    return _back(prescription.patient_id, f"visit-{made.id}", "booked-1")


@router.get("/appointments/{appointment_id}/move", response_class=HTMLResponse)
def move_page(
    request: Request,
    appointment_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("read", "appointment")],
    at: Now,
    settings: AppSettings,
) -> Response:
    """The engine's suggestions for a new date, start and chair, beside a form for a manual choice."""
    appointment = work.db.get_one(Appointment, appointment_id)
    today = center_today(work.db, principal.center_id, at)
    options = []
    prescription = work.db.get(Prescription, appointment.prescription_id) if appointment.prescription_id else None
    if appointment.status == "booked" and prescription is not None and appointment.dose_index is not None:
        options = visit_options(
            work.db, prescription, appointment.dose_index, today, settings.jurisdiction, leave_out=appointment
        )
    work.audit(object_id=appointment.id, patient_id=appointment.patient_id, details={"options": len(options)})
    zone = ZoneInfo(work.db.get_one(Center, appointment.center_id).timezone)
    context = {
        "appointment": appointment,
        "patient": appointment.patient,
        "start": appointment.starts_at.astimezone(zone).strftime("%H:%M") if appointment.starts_at else "",
        "chair": appointment.chair.code if appointment.chair else "",
        "options": options,
    }
    return render(request, "staff/booking_move.html", context)


@router.post("/appointments/{appointment_id}/move")
def move_visit(
    request: Request,
    appointment_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("move", "appointment")],
    at: Now,
    settings: AppSettings,
    mail: Mail,
    option: Annotated[BrowserText, Form(max_length=max_chars("booking.proposal"))] = "",
    day: Annotated[ClinicalDay | None, Form()] = None,
    start: Annotated[time | None, Form()] = None,
    chair: Annotated[BrowserText, Form(max_length=max_chars("schedule.chair"))] = "",
    clinical_reason: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))] = "",
    version: Annotated[int | None, Form(ge=1, le=MAX_VERSION)] = None,
) -> Response:
    """Move a visit to the engine's option or to a manual date, start and chair (both checked the same way)."""
    appointment = work.db.get_one(Appointment, appointment_id)
    back = f"/staff/appointments/{appointment.id}/move"
    if option:
        try:
            day, start, chair = parse_option(option)
        except ValueError:
            return problem(request, work, CHOOSE_OPTION, back)
    if day is None or start is None or not chair.strip():
        return problem(request, work, CHOOSE_PLACE, back)
    today = center_today(work.db, principal.center_id, at)
    previous = appointment.starts_at
    new_day, new_start, new_chair = day, start, chair.strip()
    moved = change_visit(
        request,
        work,
        back,
        lambda: visit_changes.move_visit(
            work.db,
            appointment,
            new_day,
            new_start,
            new_chair,
            today,
            settings.jurisdiction,
            principal.user_id,
            at,
            clinical_reason,
        ),
        version=version,
        current=appointment,
    )
    if isinstance(moved, Response):
        return moved
    details = {"day": new_day.isoformat(), "exception": bool(clinical_reason.strip()), "suggested": bool(option)}
    visit_changed(work, moved, "moved", mail, at, details=details, previous_start=previous)
    return _back(moved.patient_id, f"visit-{moved.id}", "moved")


@router.post("/appointments/{appointment_id}/cancel")
def cancel_visit(
    request: Request,
    appointment_id: int,
    reason: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("cancel", "appointment")],
    at: Now,
    mail: Mail,
    version: Annotated[int | None, Form(ge=1, le=MAX_VERSION)] = None,
) -> Response:
    appointment = work.db.get_one(Appointment, appointment_id)

    def cancel() -> Appointment:
        visit_changes.cancel_visit(work.db, appointment, reason, principal.user_id, at)
        return appointment

    back = f"/staff/patients/{appointment.patient_id}#visit-{appointment.id}"
    cancelled = change_visit(request, work, back, cancel, version=version, current=appointment)
    if isinstance(cancelled, Response):
        return cancelled
    visit_changed(work, cancelled, "cancelled", mail, at)
    return _back(cancelled.patient_id, f"visit-{cancelled.id}", "cancelled")
