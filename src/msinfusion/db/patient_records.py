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
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db.center_catalog import center_today, prescription_therapy
from msinfusion.db.models import Appointment, CheckAnswers, GivenDose, Patient, Prescription
from msinfusion.limits import BrowserNewlines, ClinicalDay, NoNul, max_chars
from msinfusion.prescriptions import RecordProblem, check_new_prescription, dose_given_on, prescription_calendar
from msinfusion.regimens import DoseCalendar, RegimenError
from msinfusion.therapies import load_catalog
from msinfusion.therapies.catalog import show


class DoseRow(BaseModel):
    number: int
    day: date
    status: str
    amount: str
    treatment: str
    window_start: date
    window_end: date
    course: int | None
    course_day: int | None
    notes: list[str]


class GivenDoseView(BaseModel):
    id: int
    given_on: date
    dose_index: int | None
    amount_mg: float | None
    note: str


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
    prescriptions: list[PrescriptionView]
    appointments: list[AppointmentView]
    checks: list[CheckView]


class PrescriptionIn(BaseModel):
    """A new prescription; only these fields are accepted (no patient, author or status from the client)."""

    model_config = ConfigDict(extra="forbid")

    therapy_id: str = Field(max_length=max_chars("prescription.therapy_id"))
    start_date: ClinicalDay
    bsa: float | None = Field(default=None, gt=0, le=5)


class GivenDoseIn(BaseModel):
    """A dose that was given; only these fields are accepted."""

    model_config = ConfigDict(extra="forbid")

    given_on: ClinicalDay
    amount_mg: float | None = Field(default=None, gt=0, le=100_000, allow_inf_nan=False)
    note: Annotated[str, BrowserNewlines, Field(max_length=max_chars("dose.note")), NoNul] = ""
    prescription_version: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The prescription's version the dose was recorded against (409 if it changed since)",
    )


def _calendar(
    db: Session, prescription: Prescription, given: list[date], today: date, jurisdiction: str
) -> DoseCalendar:
    return prescription_calendar(
        prescription_therapy(db, prescription),
        prescription.start_date,
        given,
        today,
        bsa=prescription.options.get("bsa"),
        jurisdiction=jurisdiction,
    )


def prescription_view(db: Session, prescription: Prescription, today: date, jurisdiction: str) -> PrescriptionView:
    therapy = prescription_therapy(db, prescription)
    given = sorted(prescription.given_doses, key=lambda g: g.given_on)
    view = PrescriptionView(
        id=prescription.id,
        version=prescription.version,
        therapy_id=therapy.id,
        therapy_name=therapy.name,
        start_date=prescription.start_date,
        status=prescription.status,
        options=prescription.options,
        given=[
            GivenDoseView(id=g.id, given_on=g.given_on, dose_index=g.dose_index, amount_mg=g.amount_mg, note=g.note)
            for g in given
        ],
        calendar=[],
        warnings=[],
    )
    try:
        plan = _calendar(db, prescription, [g.given_on for g in given], today, jurisdiction)
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
        raise RecordProblem("Choose a therapy from the catalog.")
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
    )
    db.add(prescription)
    db.flush()
    return prescription


def record_dose(
    db: Session, prescription: Prescription, dose: GivenDoseIn, by_user_id: int, at: datetime, jurisdiction: str
) -> GivenDose:
    """Record a given dose; the core must accept the new list of given dates.

    The prescription's version goes up with every dose, so two doses recorded at the same moment
    from the same version cannot both pass the core's check: the second raises ``StaleDataError``
    (here when the caller's version is already old, at the flush when both raced).
    """
    if dose.prescription_version is not None and dose.prescription_version != prescription.version:
        raise StaleDataError("the prescription changed since it was shown")
    number = dose_given_on(
        prescription_therapy(db, prescription),
        prescription.start_date,
        [g.given_on for g in prescription.given_doses],
        dose.given_on,
        center_today(db, prescription.patient.center_id, at),
        bsa=prescription.options.get("bsa"),
        jurisdiction=jurisdiction,
    )
    given = GivenDose(
        prescription_id=prescription.id,
        given_on=dose.given_on,
        dose_index=number,
        amount_mg=dose.amount_mg,
        note=dose.note.strip(),
        recorded_by=by_user_id,
        recorded_at=at,
    )
    db.add(given)
    flag_modified(prescription, "options")  # bump the prescription's version (optimistic lock)
    db.flush()
    db.refresh(prescription)
    return given
