"""Patients and prescriptions as JSON: the same records the staff pages show, and the same records staff make
(given doses, checks before a dose, infusion reactions, prior mitoxantrone exposure)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db import clinical_records, given_doses, patient_records
from msinfusion.db.center_catalog import center_today
from msinfusion.db.clinical_records import DoseCheckIn, DoseCheckView, ReactionIn, ReactionView
from msinfusion.db.given_doses import DoseRefused, GivenDoseIn, GivenDoseView
from msinfusion.db.models import Patient, Prescription, User
from msinfusion.db.patient_records import (
    PatientDetail,
    PatientSummary,
    PrescriptionIn,
    PrescriptionView,
    PriorExposureIn,
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
    jurisdiction = patient_records.patient_jurisdiction(work.db, patient, settings.jurisdiction)
    detail = patient_records.patient_detail(
        work.db, patient, center_today(work.db, patient.center_id, at), jurisdiction
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
    jurisdiction = patient_records.patient_jurisdiction(work.db, patient, settings.jurisdiction)
    try:
        prescription = patient_records.prescribe(work.db, patient, body, principal.user_id, at, jurisdiction)
    except RecordProblem as exc:
        raise HTTPException(422, str(exc)) from None
    work.audit(
        object_id=prescription.id,
        patient_id=patient.id,
        details={"therapy": prescription.therapy_id},
    )
    return patient_records.prescription_view(
        work.db, prescription, center_today(work.db, principal.center_id, at), jurisdiction
    )


@router.post(
    "/prescriptions/{prescription_id}/doses",
    response_model=GivenDoseView,
    status_code=201,
    responses={
        422: {
            **PROBLEM_RESPONSES[422],
            "description": "Refused: each reason in `problems` (field, kind, message, sources)",
        }
    },
)
def create_given_dose(
    prescription_id: int,
    body: GivenDoseIn,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("create", "given_dose")],
    at: Now,
    settings: AppSettings,
) -> GivenDoseView | JSONResponse:
    """Record a given dose; a dose that breaks a rule is refused unless a clinician confirms it with a reason."""
    prescription = work.db.get_one(Prescription, prescription_id)
    user = work.db.get_one(User, principal.user_id)
    jurisdiction = patient_records.patient_jurisdiction(work.db, prescription.patient, settings.jurisdiction)
    try:
        given = given_doses.record_dose(work.db, prescription, body, user, at, jurisdiction)
    except DoseRefused as exc:
        work.discard()
        reasons = [
            {"kind": str(p.kind), "field": p.field, "message": p.message, "sources": list(p.sources)}
            for p in exc.problems
        ]
        detail = "The dose was not recorded. A clinician may confirm it with a written reason (clinician_confirms)."
        return problem(422, detail, problems=reasons)
    except RecordProblem as exc:
        raise HTTPException(409 if isinstance(exc, DuplicateRecord) else 422, str(exc)) from None
    except (StaleDataError, IntegrityError):
        # Another record of this prescription won the race (its version moved on, or the same day was
        # stored first): 409 with the prescription as it is now.
        work.discard()
        current = work.db.get_one(Prescription, prescription_id)
        view = patient_records.prescription_view(
            work.db, current, center_today(work.db, principal.center_id, at), jurisdiction
        )
        return problem(409, CHANGED_MEANWHILE, current=view.model_dump(mode="json"))
    work.audit(
        object_id=given.id,
        patient_id=prescription.patient_id,
        details={"flagged": [f.split(":", 1)[0] for f in given.flags], "clinician_confirmed": True}
        if given.flags
        else None,
    )
    return given_doses.given_view(work.db, given)


@router.put("/patients/{patient_id}/prior-exposure", response_model=PatientDetail)
def set_prior_exposure(
    patient_id: int,
    body: PriorExposureIn,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("update", "prior_exposure")],
    at: Now,
    settings: AppSettings,
) -> PatientDetail:
    """Store the patient's prior mitoxantrone exposure in mg/m2 (within the core's range) and a clinician's reason."""
    patient = work.db.get_one(Patient, patient_id)
    try:
        patient_records.set_prior_exposure(work.db, patient, body)
    except RecordProblem as exc:
        raise HTTPException(422, str(exc)) from None
    work.audit(
        object_id=patient.id,
        patient_id=patient.id,
        details={"mg_m2": body.prior_mitoxantrone_mg_m2, "clinician_reason": bool(body.clinician_reason.strip())},
    )
    jurisdiction = patient_records.patient_jurisdiction(work.db, patient, settings.jurisdiction)
    return patient_records.patient_detail(work.db, patient, center_today(work.db, patient.center_id, at), jurisdiction)


@router.post("/prescriptions/{prescription_id}/checks", response_model=DoseCheckView, status_code=201)
def create_dose_check(
    prescription_id: int,
    body: DoseCheckIn,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("create", "dose_check")],
    at: Now,
) -> DoseCheckView:
    """Record a check required before a dose (its id in the therapy data, like ``lvef``)."""
    prescription = work.db.get_one(Prescription, prescription_id)
    try:
        row = clinical_records.record_check(work.db, prescription, body, principal.user_id, at)
    except RecordProblem as exc:
        raise HTTPException(422, str(exc)) from None
    work.audit(object_id=row.id, patient_id=prescription.patient_id, details={"check": row.check_id})
    return DoseCheckView.model_validate(row, from_attributes=True)


@router.post("/prescriptions/{prescription_id}/reactions", response_model=ReactionView, status_code=201)
def create_reaction(
    prescription_id: int,
    body: ReactionIn,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("create", "infusion_reaction")],
    at: Now,
) -> ReactionView:
    """Record an infusion reaction at a dose (mild or serious)."""
    prescription = work.db.get_one(Prescription, prescription_id)
    today = center_today(work.db, prescription.patient.center_id, at)
    try:
        row = clinical_records.record_reaction(work.db, prescription, body, today, principal.user_id, at)
    except RecordProblem as exc:
        raise HTTPException(422, str(exc)) from None
    work.audit(object_id=row.id, patient_id=prescription.patient_id, details={"serious": row.serious})
    return ReactionView.model_validate(row, from_attributes=True)
