"""The engine's suggestions for one visit: a date, start and chair for a dose, and a few alternatives.

:func:`visit_options` builds a booking request for one dose of one prescription: the doses before it
count as given (given, or booked: they take place first), every other booked visit of the center keeps
its date, start and chair (the visit being moved is left out, so its chair is free), and the patient's
wishes (dates they cannot come, morning or afternoon) are the request's preferences. The rebooking core
(:func:`msinfusion.booking.alternatives.alternatives`) answers; nothing is written here. The choice a
scheduler makes is checked again when it is written (:mod:`msinfusion.db.visit_changes`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.booking import BookingProblem, parse_request
from msinfusion.booking.alternatives import alternatives
from msinfusion.db import bookings
from msinfusion.db.center_catalog import prescription_therapy
from msinfusion.db.models import Appointment, Center, CenterHours, Prescription
from msinfusion.regimens import RegimenError, dose_calendar
from msinfusion.visits import treatment_codes

SUGGEST_SECONDS = 2.0
"""Time limit of each engine run behind one suggestion."""

SEARCH_DAYS = 28
"""How far past tomorrow the engine may look when the dose's window is already closing."""

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class VisitOption:
    """One place for a visit: the day, the start (center time), the chair, and why it is off its due date."""

    day: dt.date
    start: dt.time
    chair: str
    why: str | None = None

    @property
    def key(self) -> str:
        """The option in short (day, start, chair), as a form sends it back."""
        return f"{self.day.isoformat()}|{self.start.strftime('%H:%M')}|{self.chair}"


def parse_option(value: str) -> tuple[dt.date, dt.time, str]:
    """The day, start and chair of an option's key (ValueError when it is not one)."""
    day, start, chair = value.split("|")
    return dt.date.fromisoformat(day), dt.time.fromisoformat(start), chair


def _window(
    db: Session, prescription: Prescription, dose: int, given: list[dt.date], today: dt.date, jurisdiction: str
) -> tuple[dt.date, dt.date] | None:
    try:
        calendar = dose_calendar(
            prescription_therapy(db, prescription),
            prescription.start_date,
            today + bookings.HORIZON,
            given,
            bsa=prescription.options.get("bsa"),
            jurisdiction=jurisdiction,
            as_of=today,
        )
    except RegimenError:
        return None
    found = next((d for d in calendar.doses if d.number == dose), None)
    return (found.window.start, found.window.end) if found is not None else None


def visit_options(
    db: Session,
    prescription: Prescription,
    dose: int,
    today: dt.date,
    jurisdiction: str,
    *,
    leave_out: Appointment | None = None,
    unavailable: list[dt.date] | None = None,
    time_of_day: Literal["morning", "afternoon"] | None = None,
    count: int = 3,
) -> list[VisitOption]:
    """Up to ``count`` places the engine suggests for ``dose`` (best first; empty when none fits).

    ``leave_out`` is the visit being moved: its chair is free and its day is one the patient is not
    offered again. ``unavailable`` dates are never offered.
    """
    center_id = prescription.patient.center_id
    center = db.get_one(Center, center_id)
    zone = ZoneInfo(center.timezone)
    tomorrow = today + ONE_DAY
    booked = bookings.booked_dates(db, prescription, today)
    given = sorted({g.given_on for g in prescription.given_doses} | {d for n, d in booked.items() if n < dose})
    window = _window(db, prescription, dose, given, tomorrow, jurisdiction)
    if window is None:
        return []
    first = min(tomorrow, window[0])
    last = max(window[1], tomorrow + dt.timedelta(days=SEARCH_DAYS))
    opens = {h.weekday: h.opens for h in db.scalars(select(CenterHours).where(CenterHours.center_id == center_id))}
    existing = db.scalars(
        select(Appointment)
        .where(
            Appointment.center_id == center_id,
            Appointment.status == "booked",
            Appointment.day >= tomorrow,
            Appointment.day <= last,
        )
        .order_by(Appointment.day, Appointment.id)
    ).all()
    known = treatment_codes()
    patient = bookings.request_id(prescription.id)
    skip = {leave_out.id} if leave_out is not None else set()
    not_on = sorted(set(unavailable or []) | ({leave_out.day} if leave_out is not None else set()))
    preferences: dict[str, Any] = {"unavailable": [d.isoformat() for d in not_on]}
    if time_of_day is not None:
        preferences["time"] = time_of_day
    therapy: dict[str, Any] = {
        "id": patient,
        "therapy": prescription.therapy_id,
        "start": prescription.start_date.isoformat(),
        "given": [d.isoformat() for d in given],
        "preferences": preferences,
    }
    if prescription.options.get("bsa") is not None:
        therapy["bsa"] = prescription.options["bsa"]
    data = {
        "format": "msinfusion.booking/1",
        "today": tomorrow.isoformat(),
        "horizon": {"start": first.isoformat(), "end": last.isoformat()},
        "center": bookings.center_fields(db, center_id),
        "existing": [
            {
                "id": f"A{a.id}",
                # This prescription's other visits only hold their chairs: the engine books the dose afresh.
                "patient": f"hold-{patient}"
                if a.prescription_id == prescription.id
                else (bookings.request_id(a.prescription_id) if a.prescription_id else f"p{a.patient_id}"),
                "date": a.day.isoformat(),
                "start": bookings.local_start(a, zone, opens),
                "treatment": a.treatment,
            }
            for a in existing
            if a.treatment in known and a.id not in skip
        ],
        "patients": [therapy],
    }
    try:
        found = alternatives(parse_request(data), patient, dose, count, time_limit=SUGGEST_SECONDS)
    except BookingProblem:
        return []
    # "Off its due date because the patient cannot come on the visit's current day" says nothing new here.
    same_day = leave_out.day.isoformat() if leave_out is not None else None
    return [
        VisitOption(
            b.date,
            dt.time(b.start // 60, b.start % 60),
            b.chair,
            None if b.moved and same_day and b.moved.startswith(same_day) else b.moved,
        )
        for b in found
    ]
