"""A patient's record as staff see it, and the two changes staff make to it: prescribing a regimen and
recording a given dose. The dose calendar is always recomputed by :func:`msinfusion.regimens.dose_calendar`
from the prescription and the doses given; nothing here decides a date. Pages and the API share this.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from msinfusion.db.center_catalog import center_jurisdiction, center_today, prescription_therapy
from msinfusion.db.clinical_records import (
    DoseCheckView,
    ReactionView,
    checks_of,
    reaction_rows,
    reactions_of,
)
from msinfusion.db.given_doses import GivenDoseView, dose_view, prior_exposure, user_names
from msinfusion.db.models import Appointment, CheckAnswers, GivenDose, Patient, Prescription
from msinfusion.dose_checks import required_checks
from msinfusion.i18n import N_, MessageText
from msinfusion.lifetime_caps import check_prior
from msinfusion.limits import BrowserText, ClinicalDay, max_chars
from msinfusion.prescriptions import RecordProblem, check_new_prescription, prescription_calendar
from msinfusion.reactions import retreatment_gate
from msinfusion.regimens import DoseCalendar, RegimenError
from msinfusion.therapies import Therapy, load_catalog
from msinfusion.therapies.catalog import show


class DoseRow(BaseModel):
    number: int
    day: date
    status: str
    amount: str
    amount_status: str
    treatment: str
    window_start: date
    window_end: date
    course: int | None
    course_day: int | None
    notes: list[MessageText]


class RequiredCheckView(BaseModel):
    id: str
    what: str
    sources: list[str]
    statuses: list[str]


class PrescriptionView(BaseModel):
    id: int
    version: int = Field(description="Send as prescription_version when recording a dose")
    therapy_id: str
    therapy_name: str
    start_date: date
    status: str
    options: dict[str, Any]
    given: list[GivenDoseView]
    calendar: list[DoseRow]
    warnings: list[str]
    problem: str | None = None
    next_dose: int = 1
    required_checks: list[RequiredCheckView] = []
    checks: list[DoseCheckView] = []
    reactions: list[ReactionView] = []
    clinician_gate: str | None = None


class AppointmentView(BaseModel):
    id: int
    day: date
    treatment: str
    status: str
    board_state: str
    starts_at: datetime | None


class CheckView(BaseModel):
    id: int
    submitted_at: datetime
    outcome: str
    appointment_id: int | None


class PatientSummary(BaseModel):
    id: int
    reference: str
    display_name: str
    therapies: list[str]
    next_visit: date | None


class PatientDetail(BaseModel):
    id: int
    reference: str
    display_name: str
    locale: str
    prior_mitoxantrone_mg_m2: float = 0.0
    prior_exposure_reason: str | None = None
    jurisdiction: str = "US"
    prescriptions: list[PrescriptionView]
    appointments: list[AppointmentView]
    checks: list[CheckView]


class PrescriptionIn(BaseModel):
    """A new prescription; only these fields are accepted (no patient, author or status from the client)."""

    model_config = ConfigDict(extra="forbid")

    therapy_id: Annotated[BrowserText, Field(max_length=max_chars("prescription.therapy_id"))]
    start_date: ClinicalDay
    bsa: float | None = Field(default=None, gt=0, le=5)


class PriorExposureIn(BaseModel):
    """Mitoxantrone received before this record (mg/m2), and a clinician's reason to start after it."""

    model_config = ConfigDict(extra="forbid")

    prior_mitoxantrone_mg_m2: float = Field(ge=0, allow_inf_nan=False)
    clinician_reason: Annotated[BrowserText, Field(max_length=max_chars("clinician.reason"))] = ""


def _calendar(
    db: Session, prescription: Prescription, given: list[GivenDose], today: date, jurisdiction: str
) -> DoseCalendar:
    therapy = prescription_therapy(db, prescription)
    return prescription_calendar(
        therapy,
        prescription.start_date,
        [g.given_on for g in given],
        today,
        bsa=prescription.options.get("bsa"),
        jurisdiction=jurisdiction,
        given_mg=[g.amount_mg for g in given],
        prior_cumulative_per_m2=prior_exposure(therapy, prescription.patient),
        clinician_reason=prescription.patient.prior_exposure_reason,
    )


def _amount_status(therapy: Therapy, number: int) -> str:
    """The status of a dose's amount in the data (label, manufacturer, secondary, practice, unconfirmed)."""
    try:
        return str(therapy.dose_step(number).amount.status)
    except ValueError:
        return "not set"


def prescription_view(db: Session, prescription: Prescription, today: date, jurisdiction: str) -> PrescriptionView:
    therapy = prescription_therapy(db, prescription)
    given = sorted(prescription.given_doses, key=lambda g: g.given_on)
    names = user_names(db, {g.recorded_by for g in given})
    reactions = reaction_rows(db, [prescription.id])
    gate = retreatment_gate(therapy, reactions_of(db, prescription.id))
    next_dose = len(given) + 1
    view = PrescriptionView(
        id=prescription.id,
        version=prescription.version,
        therapy_id=therapy.id,
        therapy_name=therapy.name,
        start_date=prescription.start_date,
        status=prescription.status,
        options=prescription.options,
        given=[dose_view(g, names) for g in given],
        calendar=[],
        warnings=[],
        next_dose=next_dose,
        required_checks=[
            RequiredCheckView(id=c.id, what=c.what, sources=list(c.sources), statuses=[str(s) for s in c.statuses])
            for c in required_checks(therapy, next_dose)
        ],
        checks=[
            DoseCheckView(
                id=c.id,
                dose_number=c.dose_number,
                check_id=c.check_id,
                note=c.note,
                recorded_by=c.recorded_by,
                recorded_at=c.recorded_at,
            )
            for c in checks_of(db, prescription.id)
        ],
        reactions=[
            ReactionView(
                id=r.id,
                dose_number=r.dose_number,
                occurred_on=r.occurred_on,
                serious=r.serious,
                note=r.note,
                recorded_by=r.recorded_by,
            )
            for r in reactions
        ],
        clinician_gate=gate.reason if gate.needs_clinician else None,
    )
    try:
        plan = _calendar(db, prescription, given, today, jurisdiction)
    except RegimenError as exc:
        view.problem = str(exc)
        return view
    view.warnings = list(plan.warnings)
    view.calendar = [
        DoseRow(
            number=d.number,
            day=d.date,
            status=d.status,
            amount=f"{show(d.amount)} {d.unit}",
            amount_status=_amount_status(therapy, d.number),
            treatment=d.treatment,
            window_start=d.window.start,
            window_end=d.window.end,
            course=d.course,
            course_day=d.course_day,
            notes=list(d.notes),
        )
        for d in plan.doses
    ]
    return view


def patient_list(db: Session, center_id: int, today: date) -> list[PatientSummary]:
    patients = db.scalars(
        select(Patient)
        .where(Patient.center_id == center_id)
        .order_by(Patient.reference)
        .options(selectinload(Patient.prescriptions))
    ).all()
    next_visits: dict[int, date] = {}
    for patient_id, day in db.execute(
        select(Appointment.patient_id, Appointment.day)
        .where(Appointment.center_id == center_id, Appointment.status == "booked", Appointment.day >= today)
        .order_by(Appointment.day.desc())
    ):
        next_visits[patient_id] = day
    catalog = load_catalog()
    return [
        PatientSummary(
            id=p.id,
            reference=p.reference,
            display_name=p.display_name,
            therapies=[catalog.get(r.therapy_id).name for r in p.prescriptions if r.status == "active"],
            next_visit=next_visits.get(p.id),
        )
        for p in patients
    ]


def patient_detail(db: Session, patient: Patient, today: date, jurisdiction: str) -> PatientDetail:
    prescriptions = db.scalars(
        select(Prescription)
        .where(Prescription.patient_id == patient.id)
        .order_by(Prescription.start_date)
        .options(selectinload(Prescription.given_doses))
    ).all()
    appointments = db.scalars(
        select(Appointment).where(Appointment.patient_id == patient.id).order_by(Appointment.day)
    ).all()
    checks = db.scalars(
        select(CheckAnswers).where(CheckAnswers.patient_id == patient.id).order_by(CheckAnswers.submitted_at.desc())
    ).all()
    return PatientDetail(
        id=patient.id,
        reference=patient.reference,
        display_name=patient.display_name,
        locale=patient.locale,
        prior_mitoxantrone_mg_m2=patient.prior_mitoxantrone_mg_m2,
        prior_exposure_reason=patient.prior_exposure_reason,
        jurisdiction=jurisdiction,
        prescriptions=[prescription_view(db, p, today, jurisdiction) for p in prescriptions],
        appointments=[
            AppointmentView(
                id=a.id,
                day=a.day,
                treatment=a.treatment,
                status=a.status,
                board_state=a.board_state,
                starts_at=a.starts_at,
            )
            for a in appointments
        ],
        checks=[
            CheckView(id=c.id, submitted_at=c.submitted_at, outcome=c.outcome, appointment_id=c.appointment_id)
            for c in checks
        ],
    )


def prescribe(
    db: Session, patient: Patient, new: PrescriptionIn, by_user_id: int, at: datetime, jurisdiction: str
) -> Prescription:
    """Add a prescription after checking that the core can build its calendar."""
    catalog = load_catalog()
    if new.therapy_id not in catalog.ids:
        raise RecordProblem(N_("Choose a therapy from the catalog."))
    prescription = Prescription(
        patient_id=patient.id,
        therapy_id=new.therapy_id,
        start_date=new.start_date,
        options={"bsa": new.bsa} if new.bsa is not None else {},
        prescribed_by=by_user_id,
        created_at=at,
    )
    check_new_prescription(
        catalog.get(new.therapy_id),  # as before the move: the catalog's, not the center's overridden therapy
        new.start_date,
        center_today(db, patient.center_id, at),
        bsa=new.bsa,
        jurisdiction=jurisdiction,
        prior_cumulative_per_m2=prior_exposure(catalog.get(new.therapy_id), patient),
        clinician_reason=patient.prior_exposure_reason,
    )
    db.add(prescription)
    db.flush()
    return prescription


PRIOR_EXPOSURE_THERAPY = "mitoxantrone"
"""The therapy whose lifetime cap a patient's prior exposure counts toward."""


def set_prior_exposure(db: Session, patient: Patient, prior: PriorExposureIn) -> None:
    """Store the patient's prior mitoxantrone exposure (mg/m2) and a clinician's reason, if any.

    The core's range applies (0 to twice the largest lifetime cap); a value out of it is a
    :class:`RecordProblem`.
    """
    therapy = load_catalog().get(PRIOR_EXPOSURE_THERAPY)
    try:
        check_prior(therapy, "US", prior.prior_mitoxantrone_mg_m2)
    except RegimenError as exc:
        raise RecordProblem(f"Prior mitoxantrone: {exc}.") from None
    patient.prior_mitoxantrone_mg_m2 = prior.prior_mitoxantrone_mg_m2
    patient.prior_exposure_reason = prior.clinician_reason.strip() or None
    db.flush()


def patient_jurisdiction(db: Session, patient: Patient, default: str) -> str:
    """The label jurisdiction for a patient's rules: their center's, else the app setting."""
    return center_jurisdiction(db, patient.center_id, default)
