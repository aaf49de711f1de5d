"""Patients and prescriptions as JSON: the same records the staff pages show."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from msinfusion.db import patient_records
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Patient, Prescription
from msinfusion.db.patient_records import (
    GivenDoseIn,
    GivenDoseView,
    PatientDetail,
    PatientSummary,
    PrescriptionIn,
    PrescriptionView,
)
from msinfusion.prescriptions import RecordProblem
from msinfusion.settings import Settings
from msinfusion.web import audit_trail
from msinfusion.web.dependencies import Principal, db_session, now
from msinfusion.web.policies import policy

router = APIRouter(prefix="/api", tags=["patients"])


@router.get("/patients", response_model=list[PatientSummary])
def list_patients(
    principal: Principal = policy("staff-center"), db: Session = Depends(db_session), at: datetime = Depends(now)
) -> list[PatientSummary]:
    return patient_records.patient_list(db, principal.center_id, center_today(db, principal.center_id, at))


@router.get("/patients/{patient_id}", response_model=PatientDetail)
def get_patient(
    request: Request,
    patient_id: int,
    principal: Principal = policy("staff-center"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> PatientDetail:
    settings: Settings = request.app.state.settings
    patient = db.get_one(Patient, patient_id)
    detail = patient_records.patient_detail(db, patient, center_today(db, patient.center_id, at), settings.jurisdiction)
    audit_trail.record(db, request, principal, "read", "patient", object_id=patient.id, patient_id=patient.id)
    db.commit()
    return detail


@router.post("/patients/{patient_id}/prescriptions", response_model=PrescriptionView, status_code=201)
def create_prescription(
    request: Request,
    patient_id: int,
    body: PrescriptionIn,
    principal: Principal = policy("scheduler-center"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> PrescriptionView:
    settings: Settings = request.app.state.settings
    patient = db.get_one(Patient, patient_id)
    try:
        prescription = patient_records.prescribe(db, patient, body, principal.user_id, at, settings.jurisdiction)
    except RecordProblem as exc:
        raise HTTPException(422, str(exc)) from None
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
    return patient_records.prescription_view(
        db, prescription, center_today(db, principal.center_id, at), settings.jurisdiction
    )


@router.post("/prescriptions/{prescription_id}/doses", response_model=GivenDoseView, status_code=201)
def create_given_dose(
    request: Request,
    prescription_id: int,
    body: GivenDoseIn,
    principal: Principal = policy("staff-center"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> GivenDoseView:
    settings: Settings = request.app.state.settings
    prescription = db.get_one(Prescription, prescription_id)
    try:
        given = patient_records.record_dose(db, prescription, body, principal.user_id, at, settings.jurisdiction)
    except RecordProblem as exc:
        raise HTTPException(422, str(exc)) from None
    audit_trail.record(
        db, request, principal, "create", "given_dose", object_id=given.id, patient_id=prescription.patient_id
    )
    db.commit()
    return GivenDoseView(
        id=given.id, given_on=given.given_on, dose_index=given.dose_index, amount_mg=given.amount_mg, note=given.note
    )
