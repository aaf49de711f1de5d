"""Staff pages for patients: the list, one patient's record, prescribing, and recording given doses, the
checks before a dose, infusion reactions and prior mitoxantrone exposure."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db import clinical_records, given_doses, patient_records
from msinfusion.db.center_catalog import center_today
from msinfusion.db.clinical_records import DoseCheckIn, ReactionIn
from msinfusion.db.given_doses import DoseRefused, GivenDoseIn
from msinfusion.db.models import Patient, Prescription, User
from msinfusion.db.patient_records import PrescriptionIn, PriorExposureIn
from msinfusion.i18n import N_
from msinfusion.limits import EARLIEST_DAY, BrowserText, ClinicalDay, max_chars
from msinfusion.prescriptions import DuplicateRecord, RecordProblem
from msinfusion.settings import Settings
from msinfusion.therapies import load_catalog
from msinfusion.web.dependencies import (
    AppSettings,
    DbSession,
    Now,
    Principal,
)
from msinfusion.web.pages import page_translator, render
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
    *,
    reasons: list[str] | None = None,
    dose_form: dict[str, Any] | None = None,
) -> Response:
    db = work.db
    jurisdiction = patient_records.patient_jurisdiction(db, patient, settings.jurisdiction)
    detail = patient_records.patient_detail(db, patient, center_today(db, patient.center_id, at), jurisdiction)
    work.audit(object_id=patient.id, patient_id=patient.id, event=READ_PATIENT)
    return render(
        request,
        "staff/patient.html",
        {
            "patient": detail,
            "therapies": list(load_catalog()),
            "can_prescribe": principal.role in ("scheduler", "admin"),
            "today": center_today(db, patient.center_id, at),
            "earliest_day": EARLIEST_DAY,
            "error": page_translator(request).gettext(error) if error else None,  # N_-marked or as given
            "visits": patient_visits(db, patient.id),  # the visit lifecycle (views/bookings.py)
            "reasons": reasons or [],
            "dose_form": dose_form or {},
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
    therapy_id: Annotated[BrowserText, Form(max_length=max_chars("prescription.therapy_id"))],
    start_date: Annotated[ClinicalDay, Form()],
    principal: Annotated[Principal, policy("scheduler-center")],
    work: Annotated[UnitOfWork, audited("create", "prescription")],
    at: Now,
    settings: AppSettings,
    bsa: Annotated[BrowserText, Form(max_length=max_chars("prescription.bsa"))] = "",
) -> Response:
    patient = work.db.get_one(Patient, patient_id)
    try:
        new = PrescriptionIn(therapy_id=therapy_id, start_date=start_date, bsa=float(bsa) if bsa.strip() else None)
        jurisdiction = patient_records.patient_jurisdiction(work.db, patient, settings.jurisdiction)
        prescription = patient_records.prescribe(work.db, patient, new, principal.user_id, at, jurisdiction)
    except (RecordProblem, ValueError) as exc:
        work.discard()
        message = str(exc) if isinstance(exc, RecordProblem) else N_("Body surface area must be a number, like 1.8.")
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
    given_on: Annotated[ClinicalDay, Form()],
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("create", "given_dose")],
    at: Now,
    settings: AppSettings,
    amount_mg: Annotated[BrowserText, Form(max_length=max_chars("dose.amount"))] = "",
    number: Annotated[BrowserText, Form(max_length=max_chars("dose.number"))] = "",
    note: Annotated[BrowserText, Form(max_length=max_chars("dose.note"))] = "",
    clinician_confirms: Annotated[BrowserText, Form(max_length=max_chars("form.checkbox"))] = "",
    clinician_reason: Annotated[BrowserText, Form(max_length=max_chars("clinician.reason"))] = "",
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> Response:
    prescription = work.db.get_one(Prescription, prescription_id)
    patient = prescription.patient
    user = work.db.get_one(User, principal.user_id)
    kept = {
        "prescription_id": prescription.id,
        "given_on": given_on.isoformat(),
        "amount_mg": amount_mg,
        "number": number,
        "note": note,
        "clinician_confirms": bool(clinician_confirms),
        "clinician_reason": clinician_reason,
    }
    jurisdiction = patient_records.patient_jurisdiction(work.db, patient, settings.jurisdiction)
    try:
        dose = GivenDoseIn(
            given_on=given_on,
            amount_mg=float(amount_mg) if amount_mg.strip() else None,
            number=int(number) if number.strip() else None,
            note=note,
            clinician_confirms=bool(clinician_confirms),
            clinician_reason=clinician_reason,
            prescription_version=version,
        )
        given = given_doses.record_dose(work.db, prescription, dose, user, at, jurisdiction)
    except DoseRefused as exc:
        work.discard()
        confirm = (
            N_("A clinician may record it anyway: tick the confirmation and write the reason.")
            if not clinician_confirms or not clinician_reason.strip()
            else None
        )
        return _patient_page(
            request,
            work,
            principal,
            patient,
            at,
            settings,
            error=confirm or N_("Not recorded."),
            status_code=422,
            reasons=[p.message for p in exc.problems],
            dose_form=kept,
        )
    except (StaleDataError, IntegrityError):  # the same dose, or another one, was stored at the same moment
        work.discard()
        message = N_(
            "Someone recorded a dose on this prescription at the same moment, so nothing was saved. "
            "Check the doses below and record yours again if it is still missing."
        )
        return _patient_page(
            request, work, principal, patient, at, settings, error=message, status_code=409, dose_form=kept
        )
    except (RecordProblem, ValueError) as exc:
        work.discard()
        message = (
            str(exc)
            if isinstance(exc, RecordProblem)
            else N_("The amount must be a number of mg (like 600) and the dose number a whole number from 1 to 1000.")
        )
        status = 409 if isinstance(exc, DuplicateRecord) else 422
        return _patient_page(
            request, work, principal, patient, at, settings, error=message, status_code=status, dose_form=kept
        )
    work.audit(
        object_id=given.id,
        patient_id=patient.id,
        details={"flagged": [f.split(":", 1)[0] for f in given.flags], "clinician_confirmed": True}
        if given.flags
        else None,
    )
    return RedirectResponse(f"/staff/patients/{patient.id}#prescription-{prescription.id}", status_code=303)


@router.post("/patients/{patient_id}/prior-exposure")
def record_prior_exposure(
    request: Request,
    patient_id: int,
    prior_mitoxantrone_mg_m2: Annotated[BrowserText, Form(max_length=max_chars("prior_exposure.mg_m2"))],
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("update", "prior_exposure")],
    at: Now,
    settings: AppSettings,
    clinician_reason: Annotated[BrowserText, Form(max_length=max_chars("clinician.reason"))] = "",
) -> Response:
    patient = work.db.get_one(Patient, patient_id)
    try:
        prior = PriorExposureIn(
            prior_mitoxantrone_mg_m2=float(prior_mitoxantrone_mg_m2), clinician_reason=clinician_reason
        )
        patient_records.set_prior_exposure(work.db, patient, prior)
    except (RecordProblem, ValueError) as exc:
        work.discard()
        message = (
            str(exc)
            if isinstance(exc, RecordProblem)
            else N_("Prior mitoxantrone must be a number of mg/m², 0 or more, like 36.")
        )
        return _patient_page(request, work, principal, patient, at, settings, error=message, status_code=422)
    work.audit(
        object_id=patient.id,
        patient_id=patient.id,
        details={"mg_m2": prior.prior_mitoxantrone_mg_m2, "clinician_reason": bool(prior.clinician_reason.strip())},
    )
    return RedirectResponse(f"/staff/patients/{patient.id}#prior-exposure", status_code=303)


@router.post("/prescriptions/{prescription_id}/checks")
def record_check(
    request: Request,
    prescription_id: int,
    dose_number: Annotated[int, Form(ge=1, le=1000)],
    check_id: Annotated[BrowserText, Form(max_length=max_chars("check.id"))],
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("create", "dose_check")],
    at: Now,
    settings: AppSettings,
    note: Annotated[BrowserText, Form(max_length=max_chars("check.note"))] = "",
) -> Response:
    prescription = work.db.get_one(Prescription, prescription_id)
    patient = prescription.patient
    try:
        check = DoseCheckIn(dose_number=dose_number, check_id=check_id, note=note)
        row = clinical_records.record_check(work.db, prescription, check, principal.user_id, at)
    except RecordProblem as exc:
        work.discard()
        return _patient_page(request, work, principal, patient, at, settings, error=str(exc), status_code=422)
    work.audit(object_id=row.id, patient_id=patient.id, details={"check": row.check_id, "dose": row.dose_number})
    return RedirectResponse(f"/staff/patients/{patient.id}#checks-{prescription.id}", status_code=303)


@router.post("/prescriptions/{prescription_id}/reactions")
def record_reaction(
    request: Request,
    prescription_id: int,
    dose_number: Annotated[int, Form(ge=1, le=1000)],
    occurred_on: Annotated[ClinicalDay, Form()],
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("create", "infusion_reaction")],
    at: Now,
    settings: AppSettings,
    serious: Annotated[BrowserText, Form(max_length=max_chars("form.checkbox"))] = "",
    note: Annotated[BrowserText, Form(max_length=max_chars("reaction.note"))] = "",
) -> Response:
    prescription = work.db.get_one(Prescription, prescription_id)
    patient = prescription.patient
    today = center_today(work.db, patient.center_id, at)
    try:
        reaction = ReactionIn(dose_number=dose_number, occurred_on=occurred_on, serious=bool(serious), note=note)
        row = clinical_records.record_reaction(work.db, prescription, reaction, today, principal.user_id, at)
    except RecordProblem as exc:
        work.discard()
        return _patient_page(request, work, principal, patient, at, settings, error=str(exc), status_code=422)
    work.audit(object_id=row.id, patient_id=patient.id, details={"serious": row.serious, "dose": row.dose_number})
    return RedirectResponse(f"/staff/patients/{patient.id}#reactions-{prescription.id}", status_code=303)
