"""Regimen booking from the database: the center and its visits in, the engine decides, bookings out.

:func:`booking_request` builds a :class:`msinfusion.booking.BookingRequest` from the stored center
(weekday hours, nurse shifts, chairs, the nurse ratio, the public holidays of its country), the booked
visits (promised: they keep their date and start) and the active prescriptions being booked, with
their given doses. :func:`preview_regimen` asks :func:`msinfusion.booking.book` for one prescription's
doses at once (scripts and tests); the staff pages plan in the background and confirm the stored plan
(:mod:`msinfusion.db.booking_runs`), which :func:`write_bookings` writes as appointments. Single visits
(book, move, cancel, each checked against the label rules and the open days) live in
:mod:`msinfusion.db.visit_changes`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from msinfusion.booking import Booking, BookingCenter, BookingPlan, BookingRequest, book, parse_request
from msinfusion.booking.openings import OpenDays
from msinfusion.db.booking_models import CenterBookingSettings, VisitChange
from msinfusion.db.center_catalog import CenterCatalog, center_catalog
from msinfusion.db.models import Appointment, Center, CenterHours, Chair, Nurse, NurseShift, Prescription
from msinfusion.prescriptions import RecordProblem
from msinfusion.scheduling.clock import format_clock
from msinfusion.settings import Settings
from msinfusion.visits import treatment_codes

HEADROOM_SETTING = "booking_headroom_default"
"""The setting (and session ``info`` key, :func:`msinfusion.db.database.session_info`) holding the share
of each day's chair capacity kept free for add-ons (the format's ``headroom``) at a center that has not
saved its own."""


def default_headroom(db: Session) -> float:
    """The headroom of a center without its own: the session's setting, else the setting's default."""
    value = db.info.get(HEADROOM_SETTING, Settings.model_fields[HEADROOM_SETTING].default)
    return float(value)


HORIZON = dt.timedelta(days=365)
"""How far ahead a regimen is booked when the center has not set its own (center editor)."""

PLAN_SECONDS = 10.0
"""Time limit of one regimen booking (one patient books in well under a second)."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BookingConflict(Exception):
    """The schedule changed since the plan, or a chair is taken: the caller answers 409."""


def _hhmm(value: dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def request_id(prescription_id: int) -> str:
    """The patient id a prescription has in a booking request (one request patient per prescription)."""
    return f"rx{prescription_id}"


def center_fields(db: Session, center_id: int) -> dict[str, Any]:
    """The center of a booking request (format field ``center``) from its stored hours, nurses and chairs."""
    center = db.get_one(Center, center_id)
    hours = {h.weekday: h for h in db.scalars(select(CenterHours).where(CenterHours.center_id == center_id))}
    shifts = db.execute(
        select(Nurse.code, NurseShift.weekday, NurseShift.starts, NurseShift.ends)
        .join(NurseShift, NurseShift.nurse_id == Nurse.id)
        .where(Nurse.center_id == center_id)
        .order_by(Nurse.code)
    ).all()
    chairs = db.scalars(select(Chair).where(Chair.center_id == center_id).order_by(Chair.code)).all()
    catalog = center_catalog(db, center_id)
    own = db.get(CenterBookingSettings, center_id)
    week: dict[str, Any] = {}
    for weekday, key in enumerate(WEEKDAYS):
        open_hours = hours.get(weekday)
        nurses = [
            {"id": code, "shift_start": _hhmm(s), "shift_end": _hhmm(e)} for code, day, s, e in shifts if day == weekday
        ]
        week[key] = (
            {"opens": _hhmm(open_hours.opens), "closes": _hhmm(open_hours.closes), "nurses": nurses}
            if open_hours is not None and nurses
            else None
        )
    fields: dict[str, Any] = {
        "name": center.name,
        "timezone": center.timezone,
        "country": catalog.profile.address.country,
        "chairs": [{"id": c.code, "features": list(c.features)} for c in chairs],
        "max_patients_per_nurse": center.max_patients_per_nurse,
        "week": week,
        "closures": sorted(own.closures) if own else [],
        "headroom": own.headroom if own else default_headroom(db),
    }
    visits = center_visits(catalog)
    if visits:
        fields["visits"] = visits
    return fields


def center_visits(catalog: CenterCatalog) -> dict[str, list[dict[str, Any]]]:
    """The visit phases of every treatment code whose therapy the center has overridden (admin, with reasons)."""
    visits: dict[str, list[dict[str, Any]]] = {}
    for code, info in sorted(treatment_codes().items()):
        if not catalog.overrides.get(catalog.therapy_id(info.therapy)):
            continue
        visits[code] = [
            {"name": p.name, "minutes": p.minutes, "nurse_minutes": p.nurse_minutes}
            for p in catalog.phases(code)
            if p.minutes > 0
        ]
    return visits


def horizon(db: Session, center_id: int) -> dt.timedelta:
    """How far ahead the center books a regimen (its own setting, else :data:`HORIZON`)."""
    own = db.get(CenterBookingSettings, center_id)
    return dt.timedelta(days=own.horizon_days) if own is not None else HORIZON


def booking_center(db: Session, center_id: int) -> BookingCenter:
    """The stored center as the booking engine sees it (weekday hours and nurses, chairs, holidays, headroom)."""
    day = dt.date(2000, 1, 3).isoformat()
    request = {
        "format": "msinfusion.booking/1",
        "today": day,
        "horizon": {"start": day, "end": day},
        "center": center_fields(db, center_id),
    }
    return parse_request(request).center


def local_start(appointment: Appointment, zone: ZoneInfo, opens: dict[int, dt.time]) -> str:
    if appointment.starts_at is not None:
        return _hhmm(appointment.starts_at.astimezone(zone).time())
    return _hhmm(opens.get(appointment.day.weekday(), dt.time(9, 0)))


def booked_dates(db: Session, prescription: Prescription, today: dt.date) -> dict[int, dt.date]:
    """Dose number -> day of the prescription's booked visits from today on."""
    rows = db.scalars(
        select(Appointment).where(
            Appointment.prescription_id == prescription.id,
            Appointment.status == "booked",
            Appointment.day >= today,
            Appointment.dose_index.is_not(None),
        )
    ).all()
    return {a.dose_index: a.day for a in rows if a.dose_index is not None}


def booking_request(
    db: Session,
    center_id: int,
    today: dt.date,
    prescriptions: list[Prescription],
    end: dt.date | None = None,
    first_day: dt.date | None = None,
) -> BookingRequest:
    """The booking request for some prescriptions of a center: its booked visits stay where they are.

    Each prescription books the doses due after its last booked visit; its given doses and booked
    visits are its ``given`` dates (later doses are counted from them).
    """
    center = db.get_one(Center, center_id)
    zone = ZoneInfo(center.timezone)
    last = end or today + horizon(db, center_id)
    opens = {h.weekday: h.opens for h in db.scalars(select(CenterHours).where(CenterHours.center_id == center_id))}
    existing = db.scalars(
        select(Appointment)
        .where(
            Appointment.center_id == center_id,
            Appointment.status == "booked",
            Appointment.day >= (first_day or today + dt.timedelta(days=1)),
            Appointment.day <= last,
        )
        .order_by(Appointment.day, Appointment.id)
    ).all()
    known = treatment_codes()
    patients: list[dict[str, Any]] = []
    first = first_day or today + dt.timedelta(days=1)
    for prescription in prescriptions:
        booked = booked_dates(db, prescription, first)
        given = sorted({g.given_on for g in prescription.given_doses} | set(booked.values()))
        if booked:
            first = max(first, max(booked.values()) + dt.timedelta(days=1))
        patient: dict[str, Any] = {
            "id": request_id(prescription.id),
            "therapy": prescription.therapy_id,
            "start": prescription.start_date.isoformat(),
            "given": [d.isoformat() for d in given],
        }
        if prescription.options.get("bsa") is not None:
            patient["bsa"] = prescription.options["bsa"]
        patients.append(patient)
    data = {
        "format": "msinfusion.booking/1",
        "today": today.isoformat(),
        "horizon": {"start": first.isoformat(), "end": max(first, last).isoformat()},
        "center": center_fields(db, center_id),
        "existing": [
            {
                "id": f"A{a.id}",
                "patient": request_id(a.prescription_id) if a.prescription_id else f"p{a.patient_id}",
                "date": a.day.isoformat(),
                "start": local_start(a, zone, opens),
                "treatment": a.treatment,
            }
            for a in existing
            if a.treatment in known and a.day >= first
        ],
        "patients": patients,
    }
    return parse_request(data)


@dataclass(frozen=True)
class RegimenPreview:
    """A proposed booking of one prescription's doses: the plan and the request it answers."""

    prescription_id: int
    request: BookingRequest
    plan: BookingPlan

    @property
    def bookings(self) -> list[Booking]:
        return [b for b in self.plan.bookings if b.patient == request_id(self.prescription_id)]

    def key(self) -> list[str]:
        """The proposal in short (dose, date, start, chair), to compare a confirmation with its preview."""
        return [f"{b.dose}:{b.date.isoformat()}:{format_clock(b.start)}:{b.chair}" for b in self.bookings]


def preview_regimen(db: Session, prescription: Prescription, today: dt.date) -> RegimenPreview:
    """What the engine proposes for the prescription's unbooked doses (nothing is written)."""
    if prescription.status != "active":
        raise RecordProblem("A stopped prescription cannot be booked.")
    request = booking_request(db, prescription.patient.center_id, today, [prescription])
    plan = book(request, time_limit=PLAN_SECONDS)
    return RegimenPreview(prescription.id, request, plan)


def span(db: Session, center_id: int, treatment: str) -> int:
    return sum(p.minutes for p in center_catalog(db, center_id).phases(treatment))


def chair_id(db: Session, center_id: int, code: str) -> int:
    chair = db.scalar(select(Chair.id).where(Chair.center_id == center_id, Chair.code == code))
    if chair is None:
        raise RecordProblem(f"There is no chair {code}.")
    return chair


def instant(day: dt.date, start: dt.time, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, start).replace(tzinfo=zone).astimezone(dt.UTC)


def write_bookings(
    db: Session,
    center_id: int,
    plan: BookingPlan,
    planned: list[Booking],
    prescriptions: list[Prescription],
    by_user_id: int | None,
    at: dt.datetime,
    reason: str,
) -> list[Appointment]:
    """Write a plan's bookings as appointments (chair, start and end from the plan) with a ``book`` change each."""
    center = db.get_one(Center, center_id)
    zone = ZoneInfo(center.timezone)
    by_id = {request_id(p.id): p for p in prescriptions}
    # Each visit's length as the engine placed it: its phases in the plan's day.
    spans = {a.id: sum(p.minutes for p in a.phases or ()) for entry in plan.days for a in entry.day.appointments}
    chairs = {c.code: c.id for c in db.scalars(select(Chair).where(Chair.center_id == center_id))}
    made: list[Appointment] = []
    for booking in planned:
        prescription = by_id[booking.patient]
        start = instant(booking.date, dt.time(booking.start // 60, booking.start % 60), zone)
        appointment = Appointment(
            center_id=center.id,
            patient_id=prescription.patient_id,
            prescription_id=prescription.id,
            dose_index=booking.dose,
            treatment=booking.treatment,
            day=booking.date,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=spans[booking.appointment]),
            chair_id=chairs[booking.chair],
        )
        db.add(appointment)
        made.append(appointment)
    db.flush()
    db.add_all(
        VisitChange(appointment_id=a.id, kind="book", reason=reason, user_id=by_user_id, created_at=at) for a in made
    )
    db.flush()
    return made


def save_booking_settings(
    db: Session, center_id: int, closures: list[dt.date], headroom: float, by_user_id: int, at: dt.datetime
) -> list[Appointment]:
    """Store the center's own closures and headroom; returns the booked visits on a closed day (to move)."""
    if not 0 <= headroom < 1:
        raise RecordProblem("Headroom is a share of each day kept free: from 0 up to (not including) 100 %.")
    row = db.get(CenterBookingSettings, center_id)
    if row is None:
        row = CenterBookingSettings(
            center_id=center_id, closures=[], headroom=headroom, updated_by=by_user_id, updated_at=at
        )
        db.add(row)
    row.closures = sorted({d.isoformat() for d in closures})
    row.headroom = headroom
    row.updated_by, row.updated_at = by_user_id, at
    db.flush()
    return visits_on_closed_days(db, center_id, at.date())


def visits_on_closed_days(db: Session, center_id: int, today: dt.date) -> list[Appointment]:
    """Booked visits from today on that fall on a day the center is closed (a new closure or holiday)."""
    visits = db.scalars(
        select(Appointment)
        .where(Appointment.center_id == center_id, Appointment.status == "booked", Appointment.day >= today)
        .order_by(Appointment.day, Appointment.id)
    ).all()
    if not visits:
        return []
    openings = OpenDays(booking_center(db, center_id), today, visits[-1].day)
    return [a for a in visits if not openings.is_open(a.day)]
