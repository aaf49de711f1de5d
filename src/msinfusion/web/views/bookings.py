"""What the staff patient page shows of the visit lifecycle: each visit with its time, chair, flag and the
patient's open change request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.db import visit_changes
from msinfusion.db.booking_models import ChangeRequest
from msinfusion.db.models import Appointment, Center, Chair, Patient


@dataclass(frozen=True)
class VisitRow:
    """One visit of the patient as the lifecycle forms need it; ``exception`` is the clinician's reason."""

    id: int
    day: date
    start: str
    chair: str
    treatment: str
    dose: int | None
    status: str
    exception: str | None
    rules: list[str]
    version: int = 1
    asked: AskedChange | None = None


@dataclass(frozen=True)
class AskedChange:
    """The patient's open change request of a visit: dates they cannot come, time of day, their note."""

    id: int
    unavailable: list[date]
    time_of_day: str | None
    note: str


def patient_visits(db: Session, patient_id: int) -> list[VisitRow]:
    """The patient's visits, oldest first, each with its local start, chair and rule-break flag."""
    rows = db.scalars(
        select(Appointment).where(Appointment.patient_id == patient_id).order_by(Appointment.day, Appointment.id)
    ).all()
    flags = visit_changes.exceptions(db, [a.id for a in rows])
    asked = {
        r.appointment_id: AskedChange(r.id, [date.fromisoformat(d) for d in r.unavailable], r.time_of_day, r.note)
        for r in db.scalars(
            select(ChangeRequest).where(ChangeRequest.patient_id == patient_id, ChangeRequest.state == "open")
        )
    }
    chairs = {c.id: c.code for c in db.scalars(select(Chair))} if rows else {}
    zone = ZoneInfo(db.get_one(Center, rows[0].center_id).timezone) if rows else None
    visits = []
    for a in rows:
        flag = flags.get(a.id)
        start = a.starts_at.astimezone(zone).strftime("%H:%M") if a.starts_at is not None and zone else ""
        visits.append(
            VisitRow(
                a.id,
                a.day,
                start,
                chairs.get(a.chair_id or 0, ""),
                a.treatment,
                a.dose_index,
                a.status,
                flag.reason if flag else None,
                list(flag.rules) if flag else [],
                a.version,
                asked.get(a.id),
            )
        )
    return visits


@dataclass(frozen=True)
class DayException:
    """A visit of the day booked outside the label rules, with the rules it breaks and the clinician's reason."""

    appointment_id: int
    patient_id: int
    patient: str
    treatment: str
    rules: list[str]
    reason: str


def day_exceptions(db: Session, center_id: int, day: date) -> list[DayException]:
    """The day's booked visits that a clinician accepted against a label rule (flagged on the day pages)."""
    rows = db.execute(
        select(Appointment, Patient.display_name)
        .join(Patient, Patient.id == Appointment.patient_id)
        .where(Appointment.center_id == center_id, Appointment.day == day, Appointment.status == "booked")
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    flags = visit_changes.exceptions(db, [a.id for a, _ in rows])
    return [
        DayException(a.id, a.patient_id, name, a.treatment, list(flags[a.id].rules), flags[a.id].reason)
        for a, name in rows
        if a.id in flags
    ]
