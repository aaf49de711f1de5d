"""Staff pages for patients: the list, one patient's record, prescribing and recording given doses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from msinfusion.db import patient_records
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Patient, Prescription
from msinfusion.db.patient_records import GivenDoseIn, PrescriptionIn
from msinfusion.prescriptions import RecordProblem
from msinfusion.settings import Settings
from msinfusion.therapies import load_catalog
from msinfusion.web.dependencies import (
    AppSettings,
    DbSession,
    Now,
    Principal,
)
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import AuditEvent, UnitOfWork, audited
from msinfusion.web.views.bookings import patient_visits

router = APIRouter(prefix="/staff", include_in_schema=False)


READ_PATIENT = AuditEvent("read", "patient")


def _patient_page(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    patient: Patient,
    at: datetime,
    settings: Settings,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    db = work.db
    detail = patient_records.patient_detail(db, patient, center_today(db, patient.center_id, at), settings.jurisdiction)
    work.audit(object_id=patient.id, patient_id=patient.id, event=READ_PATIENT)
    return render(
        request,
        "staff/patient.html",
        {
            "patient": detail,
            "therapies": list(load_catalog()),
            "can_prescribe": principal.role in ("scheduler", "admin"),
            "today": center_today(db, patient.center_id, at),
            "error": error,
            "visits": patient_visits(db, patient.id),  # the visit lifecycle (views/bookings.py)
        },
        status_code=status_code,
    )


@router.get("/patients", response_class=HTMLResponse)
def patients_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    db: DbSession,
    at: Now,
) -> Response:
    patients = patient_records.patient_list(db, principal.center_id, center_today(db, principal.center_id, at))
    return render(request, "staff/patients.html", {"patients": patients})


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request,
    patient_id: int,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("read", "patient")],
    at: Now,
    settings: AppSettings,
) -> Response:
    patient = work.db.get_one(Patient, patient_id)
    return _patient_page(request, work, principal, patient, at, settings)


@router.post("/patients/{patient_id}/prescriptions")
def prescribe(
    request: Request,
    patient_id: int,
    therapy_id: Annotated[str, Form(max_length=64)],
    start_date: Annotated[date, Form()],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("create", "prescription")],
    at: Now,
    settings: AppSettings,
    bsa: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    patient = work.db.get_one(Patient, patient_id)
    try:
        new = PrescriptionIn(therapy_id=therapy_id, start_date=start_date, bsa=float(bsa) if bsa.strip() else None)
        prescription = patient_records.prescribe(work.db, patient, new, principal.user_id, at, settings.jurisdiction)
    except (RecordProblem, ValueError) as exc:
        work.discard()
        message = str(exc) if isinstance(exc, RecordProblem) else "Body surface area must be a number, like 1.8."
        return _patient_page(request, work, principal, patient, at, settings, error=message, status_code=422)
    work.audit(
        object_id=prescription.id,
        patient_id=patient.id,
        details={"therapy": prescription.therapy_id},
    )
    return RedirectResponse(f"/staff/patients/{patient.id}#prescription-{prescription.id}", status_code=303)


@router.post("/prescriptions/{prescription_id}/doses")
def record_dose(
    request: Request,
    prescription_id: int,
    given_on: Annotated[date, Form()],
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("create", "given_dose")],
    at: Now,
    settings: AppSettings,
    amount_mg: Annotated[str, Form(max_length=12)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    prescription = work.db.get_one(Prescription, prescription_id)
    patient = prescription.patient
    try:
        dose = GivenDoseIn(given_on=given_on, amount_mg=float(amount_mg) if amount_mg.strip() else None, note=note)
        given = patient_records.record_dose(work.db, prescription, dose, principal.user_id, at, settings.jurisdiction)
    except (RecordProblem, ValueError) as exc:
        work.discard()
        message = str(exc) if isinstance(exc, RecordProblem) else "The amount must be a number of mg, like 600."
        return _patient_page(request, work, principal, patient, at, settings, error=message, status_code=422)
    work.audit(object_id=given.id, patient_id=patient.id)
    return RedirectResponse(f"/staff/patients/{patient.id}#prescription-{prescription.id}", status_code=303)
