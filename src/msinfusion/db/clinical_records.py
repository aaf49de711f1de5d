"""The checks staff record before a dose and the infusion reactions they record after one.

The rules are the core's (:mod:`msinfusion.dose_checks`, :mod:`msinfusion.reactions`); this module stores
what staff record, refuses a check id the therapy does not ask for, and reads the records back as the
core's types for calendars, plans, dose records and the day board.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.center_catalog import prescription_therapy
from msinfusion.db.clinical_models import DoseCheck, InfusionReaction
from msinfusion.db.models import Prescription
from msinfusion.dose_checks import UnknownCheck, missing_checks
from msinfusion.i18n import N_
from msinfusion.limits import BrowserText, max_chars
from msinfusion.prescriptions import RecordProblem
from msinfusion.reactions import Reaction


class DoseCheckIn(BaseModel):
    """A check done before one dose; only these fields are accepted."""

    model_config = ConfigDict(extra="forbid")

    dose_number: int = Field(ge=1, le=1000)
    check_id: Annotated[BrowserText, Field(min_length=1, max_length=max_chars("check.id"))]
    note: Annotated[BrowserText, Field(max_length=max_chars("check.note"))] = ""


class ReactionIn(BaseModel):
    """An infusion reaction at one dose; only these fields are accepted."""

    model_config = ConfigDict(extra="forbid")

    dose_number: int = Field(ge=1, le=1000)
    occurred_on: date
    serious: bool = False
    note: Annotated[BrowserText, Field(max_length=max_chars("reaction.note"))] = ""


class DoseCheckView(BaseModel):
    id: int
    dose_number: int
    check_id: str
    note: str
    recorded_by: int
    recorded_at: datetime


class ReactionView(BaseModel):
    id: int
    dose_number: int
    occurred_on: date
    serious: bool
    note: str
    recorded_by: int


def recorded_checks(db: Session, prescription_id: int, dose_number: int) -> set[str]:
    """The check ids recorded for one dose of a prescription."""
    return set(
        db.scalars(
            select(DoseCheck.check_id).where(
                DoseCheck.prescription_id == prescription_id, DoseCheck.dose_number == dose_number
            )
        )
    )


def checks_of(db: Session, prescription_id: int) -> list[DoseCheck]:
    return list(
        db.scalars(
            select(DoseCheck)
            .where(DoseCheck.prescription_id == prescription_id)
            .order_by(DoseCheck.dose_number, DoseCheck.id)
        )
    )


def reaction_rows(db: Session, prescription_ids: list[int]) -> list[InfusionReaction]:
    if not prescription_ids:
        return []
    return list(
        db.scalars(
            select(InfusionReaction)
            .where(InfusionReaction.prescription_id.in_(prescription_ids))
            .order_by(InfusionReaction.occurred_on, InfusionReaction.id)
        )
    )


def reactions_of(db: Session, prescription_id: int) -> list[Reaction]:
    """The prescription's infusion reactions as the core's :class:`Reaction`, oldest first."""
    return [Reaction(r.dose_number, r.occurred_on, r.serious) for r in reaction_rows(db, [prescription_id])]


def record_check(
    db: Session, prescription: Prescription, check: DoseCheckIn, by_user_id: int, at: datetime
) -> DoseCheck:
    """Store a check for one dose; a check the therapy does not require before a dose is refused."""
    therapy = prescription_therapy(db, prescription)
    try:
        missing_checks(therapy, check.dose_number, {check.check_id})
    except UnknownCheck as exc:
        raise RecordProblem(str(exc)) from None
    if check.check_id in recorded_checks(db, prescription.id, check.dose_number):
        raise RecordProblem(f"{check.check_id} is already recorded for dose {check.dose_number}.")
    row = DoseCheck(
        prescription_id=prescription.id,
        dose_number=check.dose_number,
        check_id=check.check_id,
        note=check.note.strip(),
        recorded_by=by_user_id,
        recorded_at=at,
    )
    db.add(row)
    db.flush()
    return row


def record_reaction(
    db: Session, prescription: Prescription, reaction: ReactionIn, today: date, by_user_id: int, at: datetime
) -> InfusionReaction:
    """Store an infusion reaction; it cannot be in the future or before the prescription started."""
    if reaction.occurred_on > today:
        raise RecordProblem(N_("A reaction can only be recorded on or after the day it happened."))
    if reaction.occurred_on < prescription.start_date:
        raise RecordProblem(N_("The reaction date is before this prescription started."))
    row = InfusionReaction(
        prescription_id=prescription.id,
        dose_number=reaction.dose_number,
        occurred_on=reaction.occurred_on,
        serious=reaction.serious,
        note=reaction.note.strip(),
        recorded_by=by_user_id,
        recorded_at=at,
    )
    db.add(row)
    db.flush()
    return row


def patients_with_reactions(db: Session, patient_ids: set[int]) -> set[int]:
    """Which of these patients have an infusion reaction on record (any prescription)."""
    if not patient_ids:
        return set()
    return set(
        db.scalars(
            select(Prescription.patient_id)
            .join(InfusionReaction, InfusionReaction.prescription_id == Prescription.id)
            .where(Prescription.patient_id.in_(patient_ids))
        )
    )
