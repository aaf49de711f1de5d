"""Patients and prescriptions as JSON: the same records the staff pages show."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from sqlalchemy.orm.exc import StaleDataError

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
from msinfusion.prescriptions import DuplicateRecord, RecordProblem
from msinfusion.web.dependencies import (
    AppSettings,
    DbSession,
    Now,
    Principal,
)
from msinfusion.web.policies import policy
from msinfusion.web.problems import CHANGED_MEANWHILE, PROBLEM_RESPONSES, problem
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/api", tags=["patients"], responses=PROBLEM_RESPONSES)


@router.get("/patients", response_model=list[PatientSummary])
def list_patients(
    principal: Annotated[Principal, policy("staff-center")], db: DbSession, at: Now
) -> list[PatientSummary]:
    return patient_records.patient_list(db, principal.center_id, center_today(db, principal.center_id, at))


@router.get("/patients/{patient_id}", response_model=PatientDetail)
def get_patient(
    patient_id: int,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("read", "patient")],
    at: Now,
    settings: AppSettings,
) -> PatientDetail:
    patient = work.db.get_one(Patient, patient_id)
    detail = patient_records.patient_detail(
        work.db, patient, center_today(work.db, patient.center_id, at), settings.jurisdiction
    )
    work.audit(object_id=patient.id, patient_id=patient.id)
    return detail


@router.post("/patients/{patient_id}/prescriptions", response_model=PrescriptionView, status_code=201)
def create_prescription(
    patient_id: int,
    body: PrescriptionIn,
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("create", "prescription")],
    at: Now,
    settings: AppSettings,
) -> PrescriptionView:
    patient = work.db.get_one(Patient, patient_id)
    try:
        prescription = patient_records.prescribe(work.db, patient, body, principal.user_id, at, settings.jurisdiction)
    except RecordProblem as exc:
        raise HTTPException(422, str(exc)) from None
    work.audit(
        object_id=prescription.id,
        patient_id=patient.id,
        details={"therapy": prescription.therapy_id},
    )
    return patient_records.prescription_view(
        work.db, prescription, center_today(work.db, principal.center_id, at), settings.jurisdiction
    )


@router.post("/prescriptions/{prescription_id}/doses", response_model=GivenDoseView, status_code=201)
def create_given_dose(
    prescription_id: int,
    body: GivenDoseIn,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("create", "given_dose")],
    at: Now,
    settings: AppSettings,
) -> Any:
    prescription = work.db.get_one(Prescription, prescription_id)
    try:
        given = patient_records.record_dose(work.db, prescription, body, principal.user_id, at, settings.jurisdiction)
    except RecordProblem as exc:
        raise HTTPException(409 if isinstance(exc, DuplicateRecord) else 422, str(exc)) from None
    except StaleDataError:
        work.discard()
        current = work.db.get_one(Prescription, prescription_id)
        view = patient_records.prescription_view(
            work.db, current, center_today(work.db, principal.center_id, at), settings.jurisdiction
        )
        return problem(409, CHANGED_MEANWHILE, current=view.model_dump(mode="json"))
    work.audit(object_id=given.id, patient_id=prescription.patient_id)
    return GivenDoseView(
        id=given.id, given_on=given.given_on, dose_index=given.dose_index, amount_mg=given.amount_mg, note=given.note
    )
