"""The center's months at a glance: booked chair-minutes against capacity per day, and doses not booked.

A day's capacity is its chairs times its opening minutes; the bookable share keeps the headroom free
(the ``booking_headroom_default`` setting), as the booking engine does. Closed days (weekday hours,
public holidays of the center's country) say why. A dose is unbooked when it is planned in the range
by its prescription's dose calendar and no booked visit of that prescription is inside its window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from msinfusion.booking.openings import OpenDays
from msinfusion.db import bookings
from msinfusion.db.center_catalog import center_catalog, prescription_therapy
from msinfusion.db.models import Appointment, Chair, Patient, Prescription
from msinfusion.prescriptions import prescription_calendar
from msinfusion.regimens import RegimenError
from msinfusion.therapies import load_catalog
from msinfusion.visits import treatment_codes


@dataclass(frozen=True)
class DayLoad:
    """One day: booked chair-minutes, the day's chair-minutes, and why it is closed (None when open)."""

    day: dt.date
    booked: int
    capacity: int
    bookable: int
    visits: int
    closed: str | None

    @property
    def share(self) -> float:
        """Booked chair-minutes as a share of the bookable ones (0 on a closed day)."""
        return self.booked / self.bookable if self.bookable else 0.0


@dataclass(frozen=True)
class UnbookedDose:
    """A dose planned in the range with no booked visit in its window."""

    patient_id: int
    patient: str
    therapy: str
    dose: int
    due: dt.date
    window_start: dt.date
    window_end: dt.date


@dataclass(frozen=True)
class CenterLoad:
    """The days of the range, the busiest open days first, and the unbooked doses."""

    days: list[DayLoad]
    busiest: list[DayLoad]
    unbooked: list[UnbookedDose]


def center_load(
    db: Session, center_id: int, first: dt.date, last: dt.date, today: dt.date, jurisdiction: str
) -> CenterLoad:
    """Booked chair-minutes against capacity for every day from ``first`` to ``last``, and unbooked doses."""
    center = bookings.booking_center(db, center_id)
    openings = OpenDays(center, first, last)
    chairs = len(db.scalars(select(Chair.id).where(Chair.center_id == center_id)).all())
    catalog = center_catalog(db, center_id)
    known = treatment_codes()
    spans: dict[str, int] = {}
    booked: dict[dt.date, int] = {}
    visits: dict[dt.date, int] = {}
    appointments = db.scalars(
        select(Appointment).where(
            Appointment.center_id == center_id,
            Appointment.status == "booked",
            Appointment.day >= first,
            Appointment.day <= last,
        )
    ).all()
    for a in appointments:
        if a.treatment not in known:
            continue
        if a.treatment not in spans:
            spans[a.treatment] = sum(p.minutes for p in catalog.phases(a.treatment))
        booked[a.day] = booked.get(a.day, 0) + spans[a.treatment]
        visits[a.day] = visits.get(a.day, 0) + 1
    days = []
    day = first
    while day <= last:
        hours = openings.hours(day)
        capacity = chairs * (hours.closes - hours.opens) if hours is not None else 0
        days.append(
            DayLoad(
                day,
                booked.get(day, 0),
                capacity,
                int(capacity * (1 - center.headroom)),
                visits.get(day, 0),
                openings.why_closed(day),
            )
        )
        day += dt.timedelta(days=1)
    busiest = sorted((d for d in days if d.capacity and d.booked), key=lambda d: (-d.share, d.day))[:5]
    return CenterLoad(days, busiest, unbooked_doses(db, center_id, first, last, today, jurisdiction))


def unbooked_doses(
    db: Session, center_id: int, first: dt.date, last: dt.date, today: dt.date, jurisdiction: str
) -> list[UnbookedDose]:
    """Doses planned from ``first`` to ``last`` by the active prescriptions with no booked visit in their window."""
    prescriptions = db.scalars(
        select(Prescription)
        .join(Patient, Patient.id == Prescription.patient_id)
        .where(Patient.center_id == center_id, Prescription.status == "active")
        .options(selectinload(Prescription.given_doses), selectinload(Prescription.patient))
    ).all()
    booked: dict[int, list[Appointment]] = {}
    for a in db.scalars(select(Appointment).where(Appointment.center_id == center_id, Appointment.status == "booked")):
        if a.prescription_id is not None:
            booked.setdefault(a.prescription_id, []).append(a)
    found: list[UnbookedDose] = []
    catalog = load_catalog()
    for rx in prescriptions:
        try:
            calendar = prescription_calendar(
                prescription_therapy(db, rx),
                rx.start_date,
                [g.given_on for g in rx.given_doses],
                today,
                bsa=rx.options.get("bsa"),
                jurisdiction=jurisdiction,
            )
        except RegimenError:
            continue
        mine = booked.get(rx.id, [])
        for dose in calendar.doses:
            if dose.status != "planned" or not first <= dose.date <= last:
                continue
            if any(a.dose_index == dose.number or dose.window.start <= a.day <= dose.window.end for a in mine):
                continue
            found.append(
                UnbookedDose(
                    rx.patient_id,
                    rx.patient.display_name,
                    catalog.get(rx.therapy_id).name,
                    dose.number,
                    dose.date,
                    dose.window.start,
                    dose.window.end,
                )
            )
    return sorted(found, key=lambda u: (u.due, u.patient))
