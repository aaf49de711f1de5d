"""Recording a given dose: the record is checked by :func:`msinfusion.dose_records.check_recorded_dose` before it
is stored, and refused with each reason unless a clinician confirms it with a written reason; then the
problems are stored as flags with the clinician's name and reason. Pages and the API share this.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.db.center_catalog import center_today, prescription_therapy
from msinfusion.db.clinical_records import reactions_of, recorded_checks
from msinfusion.db.models import GivenDose, Patient, Prescription, User
from msinfusion.dose_records import (
    ClinicianConfirmation,
    DoseProblem,
    ProposedDose,
    RecordedDose,
    check_recorded_dose,
    decide,
)
from msinfusion.limits import BrowserText, ClinicalDay, max_chars
from msinfusion.prescriptions import DuplicateRecord, RecordProblem, dose_given_on
from msinfusion.therapies import Therapy


class DoseRefused(RecordProblem):
    """A dose record the core refused; ``problems`` are its reasons, each naming a field and its sources."""

    def __init__(self, problems: list[DoseProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class GivenDoseView(BaseModel):
    id: int
    given_on: date
    dose_index: int | None
    amount_mg: float | None
    note: str
    flags: list[str] = []
    confirmed_by: str | None = None
    confirmation_reason: str | None = None
    recorded_by: str = ""


class GivenDoseIn(BaseModel):
    """A dose that was given; only these fields are accepted."""

    model_config = ConfigDict(extra="forbid")

    given_on: ClinicalDay
    amount_mg: float | None = Field(default=None, gt=0, le=100_000, allow_inf_nan=False)
    number: int | None = Field(default=None, ge=1, le=1000)
    note: Annotated[BrowserText, Field(max_length=max_chars("dose.note"))] = ""
    prescription_version: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The prescription's version the dose was recorded against (409 if it changed since)",
    )
    clinician_confirms: bool = False
    clinician_reason: Annotated[BrowserText, Field(max_length=max_chars("clinician.reason"))] = ""
    clinician: Annotated[BrowserText, Field(max_length=max_chars("clinician.name"))] = ""


def prior_exposure(therapy: Therapy, patient: Patient) -> float:
    """The prior exposure the cap of ``therapy`` counts: the patient's mitoxantrone, for a therapy with a cap."""
    return patient.prior_mitoxantrone_mg_m2 if therapy.cumulative_cap is not None else 0.0


def dose_view(g: GivenDose, names: dict[int, str]) -> GivenDoseView:
    return GivenDoseView(
        id=g.id,
        given_on=g.given_on,
        dose_index=g.dose_index,
        amount_mg=g.amount_mg,
        note=g.note,
        flags=list(g.flags or []),
        confirmed_by=g.confirmed_by,
        confirmation_reason=g.confirmation_reason,
        recorded_by=names.get(g.recorded_by, ""),
    )


def user_names(db: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.scalars(select(User).where(User.id.in_(ids)))}


def record_dose(
    db: Session, prescription: Prescription, dose: GivenDoseIn, by_user: User, at: datetime, jurisdiction: str
) -> GivenDose:
    """Record a given dose after :func:`check_recorded_dose`; refused (:class:`DoseRefused`) unless it fits
    or a clinician confirms it with a written reason, in which case the problems are stored as flags.

    The prescription's version goes up with every dose, so two doses recorded at the same moment from the
    same version cannot both pass the check: the second raises ``StaleDataError`` (here when the caller's
    version is already old, at the flush when both raced), which the app answers with 409.
    """
    if dose.prescription_version is not None and dose.prescription_version != prescription.version:
        raise StaleDataError("the prescription changed since it was shown")
    therapy = prescription_therapy(db, prescription)
    patient = prescription.patient
    today = center_today(db, patient.center_id, at)
    given = sorted(prescription.given_doses, key=lambda g: g.given_on)
    # The same day twice is a duplicate (409), whatever else the check would say about it.
    if any(g.given_on == dose.given_on for g in given):
        raise DuplicateRecord("A dose is already recorded on that day.")
    number = dose.number if dose.number is not None else len(given) + 1
    problems = check_recorded_dose(
        therapy,
        prescription.start_date,
        [RecordedDose(g.given_on, g.amount_mg) for g in given],
        ProposedDose(dose.given_on, dose.amount_mg, dose.number),
        today,
        bsa=prescription.options.get("bsa"),
        prescribed_amount=prescription.options.get("amount_mg"),
        jurisdiction=jurisdiction,
        prior_cumulative_per_m2=prior_exposure(therapy, patient),
        recorded_checks=recorded_checks(db, prescription.id, number),
        reactions=reactions_of(db, prescription.id),
    )
    confirmation = (
        ClinicianConfirmation(dose.clinician.strip() or by_user.display_name, dose.clinician_reason)
        if dose.clinician_confirms
        else None
    )
    decision = decide(problems, confirmation)
    if not decision.accepted:
        raise DoseRefused(list(decision.problems))
    try:
        # The calendar must still be built with the dose as given (so no record takes down the plan).
        dose_index = dose_given_on(
            therapy,
            prescription.start_date,
            [g.given_on for g in given],
            dose.given_on,
            max(today, dose.given_on),
            bsa=prescription.options.get("bsa"),
            jurisdiction=jurisdiction,
            prior_cumulative_per_m2=prior_exposure(therapy, patient),
            clinician_reason=patient.prior_exposure_reason or (confirmation.reason if confirmation else None),
        )
    except RecordProblem as exc:
        raise RecordProblem(f"The calendar cannot take this dose: {exc}") from None
    row = GivenDose(
        prescription_id=prescription.id,
        given_on=dose.given_on,
        dose_index=dose_index,
        amount_mg=dose.amount_mg,
        note=dose.note.strip(),
        recorded_by=by_user.id,
        recorded_at=at,
        flags=list(decision.flags),
        confirmed_by=confirmation.clinician.strip() if confirmation and decision.flags else None,
        confirmation_reason=confirmation.reason.strip() if confirmation and decision.flags else None,
    )
    db.add(row)
    flag_modified(prescription, "options")  # bump the prescription's version (optimistic lock)
    db.flush()
    db.refresh(prescription)
    return row


def given_view(db: Session, given: GivenDose) -> GivenDoseView:
    """One recorded dose as staff see it (with who recorded it)."""
    return dose_view(given, user_names(db, {given.recorded_by}))
