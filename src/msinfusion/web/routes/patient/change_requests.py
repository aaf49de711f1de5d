"""A patient asks to change a booked visit: dates they cannot come, morning or afternoon, a short note.

The request goes to the center's schedulers (:mod:`msinfusion.web.routes.staff.change_requests`); the
plan page then says it is being looked at, and later what the center decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from msinfusion.db import bookings_requests
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Appointment
from msinfusion.db.patient_plan import PatientPlan, load_plan
from msinfusion.limits import BrowserText, max_chars, max_items
from msinfusion.prescriptions import RecordProblem
from msinfusion.web.dependencies import Now, Principal, own_patient
from msinfusion.web.pages import render_patient
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/patient", include_in_schema=False)

DATE_FIELDS = 3
"""How many date fields the form offers."""


def _page(
    request: Request,
    db: Session,
    view: PatientPlan,
    appointment: Appointment,
    error: str | None = None,
    form: Mapping[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    found = view.plan_for_appointment(appointment.id)
    context = {
        "appointment": appointment,
        "visit": found[1] if found else None,
        "visit_plan": found[0] if found else None,
        "latest": bookings_requests.latest_by_appointment(db, view.patient.id).get(appointment.id),
        "error": error,
        "form": form or {},
        "date_fields": DATE_FIELDS,
        "note_limit": max_chars("visit.reason"),
    }
    return render_patient(request, "patient/change_request.html", view, context, status_code=status_code)


@router.get("/appointments/{appointment_id}/change", response_class=HTMLResponse)
def change_page(
    request: Request,
    appointment_id: int,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "change_request")],
    at: Now,
) -> Response:
    with work.reading() as db:
        patient = own_patient(db, principal)
        view = load_plan(db, patient, at)
        appointment = db.get_one(Appointment, appointment_id)
        page = _page(request, db, view, appointment)
    work.audit(object_id=appointment_id, patient_id=patient.id)
    return page


@router.post("/appointments/{appointment_id}/change")
def ask_change(
    request: Request,
    appointment_id: int,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("create", "change_request")],
    at: Now,
    unavailable: Annotated[
        list[Annotated[BrowserText, Field(max_length=max_chars("change_request.day"))]] | None,
        Form(max_length=max_items("change_request.days")),
    ] = None,
    time_of_day: Annotated[BrowserText, Form(max_length=max_chars("change_request.time_of_day"))] = "",
    note: Annotated[BrowserText, Form(max_length=max_chars("visit.reason"))] = "",
) -> Response:
    patient = own_patient(work.db, principal)
    appointment = work.db.get_one(Appointment, appointment_id)
    view = load_plan(work.db, patient, at)
    form = {"unavailable": [d for d in unavailable or [] if d.strip()], "time_of_day": time_of_day, "note": note}
    try:
        days = [date.fromisoformat(d.strip()) for d in unavailable or [] if d.strip()]
    except ValueError:
        work.discard()
        return _page(request, work.db, view, appointment, view.t.gettext("Write each date as a date."), form, 422)
    today = center_today(work.db, patient.center_id, at)
    try:
        row = bookings_requests.ask_change(work.db, appointment, days, time_of_day or None, note, today, at)
    except RecordProblem as exc:
        work.discard()
        return _page(request, work.db, view, appointment, view.t.gettext(str(exc)), form, 422)
    work.audit(object_id=row.id, patient_id=patient.id, details={"appointment": appointment.id})
    return RedirectResponse(f"/patient/appointments/{appointment.id}/change?saved=asked", status_code=303)
