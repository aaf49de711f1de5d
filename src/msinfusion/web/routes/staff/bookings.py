"""The visit lifecycle for staff: stop or edit a prescription, book a whole regimen (preview, then
confirm), move or cancel a visit. The engine and the label rules decide (:mod:`msinfusion.db.bookings`);
every change is audited and reaches the patient's plan, calendar files and feed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field, ValidationError
from sqlalchemy.exc import IntegrityError

from msinfusion.db import bookings, center_load, prescription_changes, visit_changes
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Appointment, Prescription
from msinfusion.db.prescription_changes import EditIn, StopIn
from msinfusion.limits import BrowserText, ClinicalDay, max_chars, max_items
from msinfusion.prescriptions import RecordProblem
from msinfusion.scheduling.clock import format_clock
from msinfusion.web.dependencies import AppSettings, Now, Principal
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited
from msinfusion.web.views import center_load as load_view

router = APIRouter(prefix="/staff", include_in_schema=False)


def _back(patient_id: int, anchor: str, saved: str | None = None) -> RedirectResponse:
    query = f"?saved={saved}" if saved else ""
    return RedirectResponse(f"/staff/patients/{patient_id}{query}#{anchor}", status_code=303)


def _problem(request: Request, work: UnitOfWork, message: str, back: str, status_code: int = 422) -> Response:
    work.discard()
    return render(request, "staff/booking_problem.html", {"message": message, "back": back}, status_code=status_code)


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
        return _problem(request, work, message, back)
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
        return _problem(request, work, message, back)
    work.audit(object_id=prescription.id, patient_id=prescription.patient_id, details={"change": change.id})
    return _back(prescription.patient_id, f"prescription-{prescription.id}", "edited")


@router.get("/prescriptions/{prescription_id}/booking", response_class=HTMLResponse)
def booking_preview(
    request: Request,
    prescription_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("preview", "booking")],
    at: Now,
) -> Response:
    prescription = work.db.get_one(Prescription, prescription_id)
    back = f"/staff/patients/{prescription.patient_id}#prescription-{prescription.id}"
    try:
        preview = bookings.preview_regimen(work.db, prescription, center_today(work.db, principal.center_id, at))
    except RecordProblem as exc:
        return _problem(request, work, str(exc), back)
    work.audit(object_id=prescription.id, patient_id=prescription.patient_id)
    return _preview_page(request, prescription, preview)


def _preview_page(
    request: Request, prescription: Prescription, preview: bookings.RegimenPreview, conflict: str | None = None
) -> Response:
    return render(
        request,
        "staff/booking_preview.html",
        {
            "prescription": prescription,
            "patient": prescription.patient,
            "bookings": preview.bookings,
            "unbooked": [u for u in preview.plan.unbooked if u.patient == bookings.request_id(prescription.id)],
            "proposal": preview.key(),
            "clock": format_clock,
            "conflict": conflict,
        },
        status_code=409 if conflict else 200,
    )


@router.post("/prescriptions/{prescription_id}/booking")
def booking_confirm(
    request: Request,
    prescription_id: int,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("create", "booking")],
    at: Now,
    proposal: Annotated[
        list[Annotated[BrowserText, Field(max_length=max_chars("booking.proposal"))]] | None,
        Form(max_length=max_items("booking.proposal")),
    ] = None,
) -> Response:
    prescription = work.db.get_one(Prescription, prescription_id)
    today = center_today(work.db, principal.center_id, at)
    try:
        made = bookings.confirm_regimen(work.db, prescription, proposal or [], today, principal.user_id, at)
        work.db.flush()
    except (bookings.BookingConflict, IntegrityError) as exc:
        work.discard()
        message = str(exc) if isinstance(exc, bookings.BookingConflict) else "A chair was taken meanwhile."
        preview = bookings.preview_regimen(work.db, prescription, today)
        return _preview_page(request, prescription, preview, conflict=message)
    work.audit(
        object_id=prescription.id, patient_id=prescription.patient_id, details={"appointments": [a.id for a in made]}
    )
    return _back(prescription.patient_id, "visits", f"booked-{len(made)}")


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
    clinical_reason: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))] = "",
) -> Response:
    """Book one dose: the engine's suggestion from the preview, or a manual choice checked the same way."""
    prescription = work.db.get_one(Prescription, prescription_id)
    back = f"/staff/prescriptions/{prescription.id}/booking"
    today = center_today(work.db, principal.center_id, at)
    try:
        appointment = visit_changes.book_visit(
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
        )
    except RecordProblem as exc:
        return _problem(request, work, str(exc), back)
    except IntegrityError:
        return _problem(request, work, "That chair is taken at that time. Choose another.", back, 409)
    work.audit(
        object_id=appointment.id,
        patient_id=prescription.patient_id,
        details={"dose": dose, "day": day.isoformat(), "exception": bool(clinical_reason.strip())},
    )
    return _back(prescription.patient_id, f"visit-{appointment.id}", "booked-1")


@router.post("/appointments/{appointment_id}/move")
def move_visit(
    request: Request,
    appointment_id: int,
    day: Annotated[ClinicalDay, Form()],
    start: Annotated[time, Form()],
    chair: Annotated[BrowserText, Form(max_length=max_chars("schedule.chair"))],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("move", "appointment")],
    at: Now,
    settings: AppSettings,
    clinical_reason: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))] = "",
) -> Response:
    appointment = work.db.get_one(Appointment, appointment_id)
    back = f"/staff/patients/{appointment.patient_id}#visit-{appointment.id}"
    today = center_today(work.db, principal.center_id, at)
    try:
        visit_changes.move_visit(
            work.db,
            appointment,
            day,
            start,
            chair,
            today,
            settings.jurisdiction,
            principal.user_id,
            at,
            clinical_reason,
        )
        work.db.flush()
    except RecordProblem as exc:
        return _problem(request, work, str(exc), back)
    except IntegrityError:
        return _problem(request, work, "That chair is taken at that time. Choose another.", back, 409)
    work.audit(
        object_id=appointment.id,
        patient_id=appointment.patient_id,
        details={"day": day.isoformat(), "exception": bool(clinical_reason.strip())},
    )
    return _back(appointment.patient_id, f"visit-{appointment.id}", "moved")


@router.post("/appointments/{appointment_id}/cancel")
def cancel_visit(
    request: Request,
    appointment_id: int,
    reason: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("cancel", "appointment")],
    at: Now,
) -> Response:
    appointment = work.db.get_one(Appointment, appointment_id)
    back = f"/staff/patients/{appointment.patient_id}#visit-{appointment.id}"
    try:
        visit_changes.cancel_visit(work.db, appointment, reason, principal.user_id, at)
    except RecordProblem as exc:
        return _problem(request, work, str(exc), back)
    work.audit(object_id=appointment.id, patient_id=appointment.patient_id)
    return _back(appointment.patient_id, f"visit-{appointment.id}", "cancelled")


LOAD_MONTHS = 3


@router.get("/load", response_class=HTMLResponse)
def load_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("read", "center_load")],
    at: Now,
    settings: AppSettings,
    start: Annotated[ClinicalDay | None, Query()] = None,
) -> Response:
    today = center_today(work.db, principal.center_id, at)
    first = (start or today).replace(day=1)
    last = _add_months(first, LOAD_MONTHS) - timedelta(days=1)
    load = center_load.center_load(work.db, principal.center_id, first, last, today, settings.jurisdiction)
    work.audit(object_id=principal.center_id, details={"first": first.isoformat(), "last": last.isoformat()})
    context = {
        "first": first,
        "last": last,
        "previous": _add_months(first, -LOAD_MONTHS),
        "following": _add_months(first, LOAD_MONTHS),
        "load": load,
        "months": load_view.months(load),
        "level": load_view.level,
        "hours": load_view.hours,
        "headroom": round(bookings.HEADROOM * 100),
    }
    return render(request, "staff/booking_load.html", context)


def _add_months(day: date, count: int) -> date:
    month = day.month - 1 + count
    return date(day.year + month // 12, month % 12 + 1, 1)


def _settings_page(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    at: datetime,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    fields = bookings.center_fields(work.db, principal.center_id)
    today = center_today(work.db, principal.center_id, at)
    context = {
        "closures": "\n".join(fields["closures"]),
        "headroom": round(fields["headroom"] * 100),
        "on_closed_days": bookings.visits_on_closed_days(work.db, principal.center_id, today),
        "error": error,
        "saved": request.query_params.get("saved"),
    }
    return render(request, "staff/booking_settings.html", context, status_code=status_code)


@router.get("/center/booking", response_class=HTMLResponse)
def booking_settings_page(
    request: Request,
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("read", "center_booking_settings")],
    at: Now,
) -> Response:
    work.audit(object_id=principal.center_id)
    return _settings_page(request, work, principal, at)


@router.post("/center/booking")
def save_booking_settings(
    request: Request,
    closures: Annotated[BrowserText, Form(max_length=max_chars("booking.closures"))],
    headroom: Annotated[BrowserText, Form(max_length=max_chars("booking.headroom"))],
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("update", "center_booking_settings")],
    at: Now,
) -> Response:
    try:
        days = [date.fromisoformat(line.strip()) for line in closures.splitlines() if line.strip()]
        share = float(headroom) / 100
        bookings.save_booking_settings(work.db, principal.center_id, days, share, principal.user_id, at)
    except (RecordProblem, ValueError) as exc:
        work.discard()
        message = str(exc) if isinstance(exc, RecordProblem) else "Write one date a line (2027-12-24) and a percentage."
        return _settings_page(request, work, principal, at, error=message, status_code=422)
    work.audit(object_id=principal.center_id, details={"closures": len(days), "headroom": share})
    return RedirectResponse("/staff/center/booking?saved=1", status_code=303)
