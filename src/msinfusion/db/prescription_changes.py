"""Stopping and editing a prescription on file, each kept as a :class:`PrescriptionChange` row.

Stopping sets the prescription's status to ``stopped`` from a date, with a reason, and cancels its
booked visits from that date on (each cancellation is a :class:`VisitChange`). Editing changes the
first-dose date or the body surface area after the core has rebuilt the calendar with the doses
given so far (:func:`msinfusion.prescriptions.prescription_calendar` decides; nothing here does).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db.booking_models import PrescriptionChange, VisitChange
from msinfusion.db.center_catalog import center_today, prescription_therapy
from msinfusion.db.models import Appointment, Prescription
from msinfusion.limits import BrowserText, max_chars
from msinfusion.prescriptions import RecordProblem, prescription_calendar
from msinfusion.regimens import RegimenError


class StopIn(BaseModel):
    """Why and from when a prescription stops; only these fields are accepted."""

    model_config = ConfigDict(extra="forbid")

    stop_on: date
    reason: Annotated[BrowserText, Field(min_length=3, max_length=max_chars("visit.reason"))]


class EditIn(BaseModel):
    """A prescription's new first-dose date and body surface area; only these fields are accepted."""

    model_config = ConfigDict(extra="forbid")

    start_date: date
    bsa: float | None = Field(default=None, gt=0, le=5)
    reason: Annotated[BrowserText, Field(min_length=3, max_length=max_chars("visit.reason"))]


def _fields(prescription: Prescription) -> dict[str, Any]:
    return {"start_date": prescription.start_date.isoformat(), "bsa": prescription.options.get("bsa")}


def stop_prescription(
    db: Session, prescription: Prescription, stop: StopIn, by_user_id: int, at: datetime
) -> PrescriptionChange:
    """Stop an active prescription from ``stop.stop_on`` and cancel its booked visits from that day on."""
    if prescription.status != "active":
        raise RecordProblem("This prescription is already stopped.")
    if stop.stop_on < prescription.start_date:
        raise RecordProblem("A prescription cannot stop before its first dose date.")
    prescription.status = "stopped"
    change = PrescriptionChange(
        prescription_id=prescription.id,
        kind="stop",
        effective_on=stop.stop_on,
        reason=stop.reason.strip(),
        before={"status": "active"},
        after={"status": "stopped"},
        user_id=by_user_id,
        created_at=at,
    )
    db.add(change)
    visits = db.scalars(
        select(Appointment).where(
            Appointment.prescription_id == prescription.id,
            Appointment.status == "booked",
            Appointment.day >= stop.stop_on,
        )
    ).all()
    for visit in visits:
        visit.status = "cancelled"
        db.add(
            VisitChange(
                appointment_id=visit.id,
                kind="cancel",
                reason="prescription stopped",
                before={"day": visit.day.isoformat()},
                user_id=by_user_id,
                created_at=at,
            )
        )
    db.flush()
    return change


def edit_prescription(
    db: Session, prescription: Prescription, edit: EditIn, by_user_id: int, at: datetime, jurisdiction: str
) -> PrescriptionChange:
    """Change the first-dose date or body surface area when the core accepts the doses given so far."""
    if prescription.status != "active":
        raise RecordProblem("A stopped prescription cannot be edited.")
    given = sorted(g.given_on for g in prescription.given_doses)
    if given and edit.start_date > given[0]:
        raise RecordProblem("The first dose date cannot be after a dose already given.")
    try:
        prescription_calendar(
            prescription_therapy(db, prescription),
            edit.start_date,
            given,
            center_today(db, prescription.patient.center_id, at),
            bsa=edit.bsa,
            jurisdiction=jurisdiction,
        )
    except RegimenError as exc:
        raise RecordProblem(str(exc)) from None
    before = _fields(prescription)
    prescription.start_date = edit.start_date
    options = {k: v for k, v in prescription.options.items() if k != "bsa"}
    if edit.bsa is not None:
        options["bsa"] = edit.bsa
    prescription.options = options
    change = PrescriptionChange(
        prescription_id=prescription.id,
        kind="edit",
        effective_on=center_today(db, prescription.patient.center_id, at),
        reason=edit.reason.strip(),
        before=before,
        after=_fields(prescription),
        user_id=by_user_id,
        created_at=at,
    )
    db.add(change)
    db.flush()
    return change


def changes_of(db: Session, prescription_ids: list[int]) -> dict[int, list[PrescriptionChange]]:
    """Each prescription's changes, oldest first."""
    rows = db.scalars(
        select(PrescriptionChange)
        .where(PrescriptionChange.prescription_id.in_(prescription_ids))
        .order_by(PrescriptionChange.created_at, PrescriptionChange.id)
    ).all()
    found: dict[int, list[PrescriptionChange]] = {}
    for row in rows:
        found.setdefault(row.prescription_id, []).append(row)
    return found
