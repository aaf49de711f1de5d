"""Staff pages for patients: the list, one patient's record, prescribing and recording given doses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from msinfusion.db import patient_records
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Patient, Prescription
from msinfusion.db.patient_records import GivenDoseIn, PrescriptionIn
from msinfusion.prescriptions import RecordProblem
from msinfusion.settings import Settings
from msinfusion.therapies import load_catalog
from msinfusion.web import audit_trail
from msinfusion.web.dependencies import Principal, db_session, now
from msinfusion.web.pages import render
from msinfusion.web.policies import policy

router = APIRouter(prefix="/staff", include_in_schema=False)


def _patient_page(
    request: Request,
    db: Session,
    principal: Principal,
    patient: Patient,
    at: datetime,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    settings: Settings = request.app.state.settings
    detail = patient_records.patient_detail(db, patient, center_today(db, patient.center_id, at), settings.jurisdiction)
    audit_trail.record(db, request, principal, "read", "patient", object_id=patient.id, patient_id=patient.id)
    db.commit()
    return render(
        request,
        "staff/patient.html",
        {
            "patient": detail,
            "therapies": list(load_catalog()),
            "can_prescribe": principal.role in ("scheduler", "admin"),
            "today": center_today(db, patient.center_id, at),
            "error": error,
        },
        status_code=status_code,
    )


@router.get("/patients", response_class=HTMLResponse)
def patients_page(
    request: Request,
    principal: Principal = policy("staff-center"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patients = patient_records.patient_list(db, principal.center_id, center_today(db, principal.center_id, at))
    return render(request, "staff/patients.html", {"patients": patients})


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request,
    patient_id: int,
    principal: Principal = policy("staff-center"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    patient = db.get_one(Patient, patient_id)
    return _patient_page(request, db, principal, patient, at)


@router.post("/patients/{patient_id}/prescriptions")
def prescribe(
    request: Request,
    patient_id: int,
    therapy_id: Annotated[str, Form(max_length=64)],
    start_date: Annotated[date, Form()],
    bsa: Annotated[str, Form(max_length=10)] = "",
    principal: Principal = policy("scheduler-center"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    settings: Settings = request.app.state.settings
    patient = db.get_one(Patient, patient_id)
    try:
        new = PrescriptionIn(therapy_id=therapy_id, start_date=start_date, bsa=float(bsa) if bsa.strip() else None)
        prescription = patient_records.prescribe(db, patient, new, principal.user_id, at, settings.jurisdiction)
    except (RecordProblem, ValueError) as exc:
        db.rollback()
        message = str(exc) if isinstance(exc, RecordProblem) else "Body surface area must be a number, like 1.8."
        return _patient_page(request, db, principal, patient, at, error=message, status_code=422)
    audit_trail.record(
        db,
        request,
        principal,
        "create",
        "prescription",
        object_id=prescription.id,
        patient_id=patient.id,
        details={"therapy": prescription.therapy_id},
    )
    db.commit()
    return RedirectResponse(f"/staff/patients/{patient.id}#prescription-{prescription.id}", status_code=303)


@router.post("/prescriptions/{prescription_id}/doses")
def record_dose(
    request: Request,
    prescription_id: int,
    given_on: Annotated[date, Form()],
    amount_mg: Annotated[str, Form(max_length=12)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    principal: Principal = policy("staff-center"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    settings: Settings = request.app.state.settings
    prescription = db.get_one(Prescription, prescription_id)
    patient = prescription.patient
    try:
        dose = GivenDoseIn(given_on=given_on, amount_mg=float(amount_mg) if amount_mg.strip() else None, note=note)
        given = patient_records.record_dose(db, prescription, dose, principal.user_id, at, settings.jurisdiction)
    except (RecordProblem, ValueError) as exc:
        db.rollback()
        message = str(exc) if isinstance(exc, RecordProblem) else "The amount must be a number of mg, like 600."
        return _patient_page(request, db, principal, patient, at, error=message, status_code=422)
    audit_trail.record(db, request, principal, "create", "given_dose", object_id=given.id, patient_id=patient.id)
    db.commit()
    return RedirectResponse(f"/staff/patients/{patient.id}#prescription-{prescription.id}", status_code=303)
