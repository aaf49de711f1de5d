"""What the schedulers' queue shows of each open change request: the visit, the patient's wishes and the
engine's alternatives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from msinfusion.db import bookings_requests
from msinfusion.db.booking_models import ChangeRequest
from msinfusion.db.bookings_alternatives import VisitOption
from msinfusion.db.models import Appointment, Center, Patient


@dataclass(frozen=True)
class QueueRow:
    """One open request: the request itself, its visit as booked now, and the places proposed."""

    request: ChangeRequest
    patient: Patient
    appointment: Appointment
    start: str
    chair: str
    unavailable: list[date]
    options: list[VisitOption]


def queue_rows(db: Session, center_id: int, today: date, jurisdiction: str) -> list[QueueRow]:
    """The center's open requests, oldest first, each with the engine's alternatives."""
    rows = []
    for asked in bookings_requests.open_requests(db, center_id):
        appointment = db.get_one(Appointment, asked.appointment_id)
        zone = ZoneInfo(db.get_one(Center, appointment.center_id).timezone)
        rows.append(
            QueueRow(
                asked,
                db.get_one(Patient, asked.patient_id),
                appointment,
                appointment.starts_at.astimezone(zone).strftime("%H:%M") if appointment.starts_at else "",
                appointment.chair.code if appointment.chair else "",
                [date.fromisoformat(d) for d in asked.unavailable],
                bookings_requests.request_options(db, asked, today, jurisdiction),
            )
        )
    return rows
