"""Demo data for ``make run``: one center with chairs, nurses and hours, one account per staff role, and
40 patients across every therapy of the catalog, with the doses they were given and their next visit.

Dose calendars come from :func:`msinfusion.regimens.dose_calendar`; nothing clinical is computed here.
All demo accounts share one password, printed by ``msinfusion serve --demo`` and listed in the README.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from msinfusion.booking import book
from msinfusion.center import WEEKDAYS, demo_center
from msinfusion.db import bookings, day_schedule
from msinfusion.db.center_planning import center_planning
from msinfusion.db.database import Database
from msinfusion.db.demo_history import record_demo_history
from msinfusion.db.models import (
    Appointment,
    Center,
    CenterHours,
    Chair,
    CheckAnswers,
    GivenDose,
    Nurse,
    NurseShift,
    Patient,
    Prescription,
    User,
)
from msinfusion.passwords import make_hasher
from msinfusion.regimens import RegimenError, dose_calendar
from msinfusion.scheduling import solve
from msinfusion.scheduling.durations import Basis
from msinfusion.settings import Settings
from msinfusion.therapies import load_catalog
from msinfusion.visits import treatment_codes

DEMO_PASSWORD = "infusion-demo-2027"
STAFF_ACCOUNTS = (
    ("admin", "admin", "Alex Admin"),
    ("scheduler", "scheduler", "Sam Scheduler"),
    ("nurse", "nurse", "Noor Nurse"),
)
PATIENT_COUNT = 40
CHAIRS: list[tuple[str, list[str]]] = [(f"C{n:02d}", []) for n in range(1, 10)] + [("C10", ["bed"])]
# (code, name, start, end) on every open weekday.
NURSES = (
    ("N1", "Noor Nurse", time(7, 0), time(15, 30)),
    ("N2", "Rosa Reyes", time(7, 0), time(15, 30)),
    ("N3", "Tom Baker", time(10, 30), time(19, 0)),
    ("N4", "Mei Chen", time(10, 30), time(19, 0)),
)
FIRST_NAMES = ("Ana", "Ben", "Carla", "Dev", "Elena", "Femi", "Grace", "Hugo", "Iris", "Jon")
LAST_NAMES = ("Alvarez", "Brown", "Cohen", "Diaz")
BSA_M2 = 1.8  # mitoxantrone is dosed per m2; a typical adult body surface area


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`load_demo` created."""

    center_id: int
    patients: int
    given_doses: int
    appointments: int


def is_empty(database: Database) -> bool:
    with database.session() as db:
        return (db.scalar(select(func.count()).select_from(Center)) or 0) == 0


def load_demo(database: Database, settings: Settings, today: date | None = None) -> DemoSummary:
    """Fill an empty, migrated database with the demo center, accounts and patients."""
    today = today or datetime.now(UTC).date()
    now = datetime.now(UTC)
    password_hash = make_hasher(settings).hash(DEMO_PASSWORD)  # one hash: every demo account shares it
    profile = demo_center()
    with database.session() as db:
        center = Center(
            name=profile.name,
            timezone=profile.timezone,
            max_patients_per_nurse=4,
            profile=profile.model_dump(mode="json"),
        )
        db.add(center)
        db.flush()
        open_days = [WEEKDAYS.index(h.day) for h in profile.hours]
        db.add_all(
            CenterHours(center_id=center.id, weekday=WEEKDAYS.index(h.day), opens=h.opens, closes=h.closes)
            for h in profile.hours
        )
        db.add_all(Chair(center_id=center.id, code=code, features=features) for code, features in CHAIRS)

        def account(username: str, role: str, name: str) -> User:
            user = User(
                username=username,
                display_name=name,
                password_hash=password_hash,
                role=role,
                center_id=center.id,
                password_changed_at=now,
                created_at=now,
            )
            db.add(user)
            db.flush()
            return user

        staff = {role: account(username, role, name) for username, role, name in STAFF_ACCOUNTS}
        for code, name, starts, ends in NURSES:
            nurse = Nurse(
                center_id=center.id, code=code, name=name, user_id=staff["nurse"].id if code == "N1" else None
            )
            db.add(nurse)
            db.flush()
            db.add_all(NurseShift(nurse_id=nurse.id, weekday=d, starts=starts, ends=ends) for d in open_days)

        given_total = 0
        prescriptions: list[Prescription] = []
        therapies = list(load_catalog())
        names = itertools.product(LAST_NAMES, FIRST_NAMES)
        for index in range(PATIENT_COUNT):
            last, first = next(names)
            therapy = therapies[index % len(therapies)]
            user = account(f"patient{index + 1:02d}", "patient", f"{first} {last}")
            patient = Patient(
                center_id=center.id,
                user_id=user.id,
                reference=f"P{index + 1:03d}",
                display_name=f"{first} {last}",
                locale="es" if index % 5 == 4 else "en",
                card=_demo_card(index, f"{first} {last}", today),
            )
            db.add(patient)
            db.flush()
            # Starts spread over the past two years, so patients are at different points of their regimen;
            # the first ones start today and on the next open day, so those days have visits to show.
            start = _next_open_day(today - timedelta(days=30 + 17 * index), open_days)
            if index < NEW_STARTS:
                first_open = _next_open_day(today, open_days)
                start = first_open if index < NEW_STARTS // 2 else _next_open_day(first_open + timedelta(1), open_days)
            prescription = Prescription(
                patient_id=patient.id,
                therapy_id=therapy.id,
                start_date=start,
                options={"bsa": BSA_M2} if therapy.dose_unit == "mg/m2" else {},
                prescribed_by=staff["scheduler"].id,
                created_at=now,
            )
            db.add(prescription)
            db.flush()
            given_total += _given_doses(db, prescription, staff["nurse"].id, today, now)
            prescriptions.append(prescription)
        booked_total = _book_with_the_engine(db, center.id, prescriptions, today, now)
        record_demo_history(db, center.id, staff["nurse"].id, today)  # synthetic, not clinical data
        basis = center_planning(db, center.id, settings).duration_basis
        _demo_days(db, center.id, staff["scheduler"].id, today, now, open_days, basis)
        return DemoSummary(center.id, PATIENT_COUNT, given_total, booked_total)


# Pre-infusion check outcomes given to the first visits of today (the rest have not answered yet).
NEW_STARTS = 20
"""Demo patients who start their regimen on the first two open days (half on each)."""
DEMO_CHECKS = ("proceed", "proceed", "call-center", "do-not-come", "proceed")


def _demo_days(
    db: Session,
    center_id: int,
    scheduler_id: int,
    today: date,
    now: datetime,
    open_days: list[int],
    basis: Basis = "label",
) -> None:
    """Give check answers to the first open day's visits (as the booking engine placed them) and
    schedule that day with the greedy baseline (accepted), leaving the other days for the optimizer."""
    db.flush()
    known = treatment_codes()
    first_day = _next_open_day(today, open_days)
    booked = [
        a
        for a in db.scalars(
            select(Appointment)
            .where(Appointment.center_id == center_id, Appointment.day == first_day)
            .order_by(Appointment.starts_at, Appointment.id)
        )
        if a.treatment in known
    ]
    for appointment, outcome in zip(booked, DEMO_CHECKS, strict=False):
        db.add(
            CheckAnswers(
                patient_id=appointment.patient_id, appointment_id=appointment.id, outcome=outcome, submitted_at=now
            )
        )
    db.flush()
    built = day_schedule.build_day(db, center_id, first_day, basis)
    job, _ = day_schedule.queue_run(db, built, center_id, scheduler_id, now, time_limit=0)
    schedule = solve(built.day, solver="greedy")
    job.status, job.result, job.finished_at = "done", json.loads(schedule.to_json()), now
    job.best_priority = schedule.objective.scheduled_priority
    db.flush()
    day_schedule.accept(db, job, scheduler_id, now)


def _demo_card(index: int, name: str, today: date) -> dict[str, Any]:
    """A filled information card for two patients in three (the third has not filled one in yet).

    Phone numbers are in the 555-01xx range, which is reserved for fiction.
    """
    if index % 3 == 2:
        return {}
    contact = {"name": "Sam Rivera", "relationship": "partner", "phone": f"+1413555{150 + index % 40:04d}"}
    cards: list[dict[str, Any]] = [
        {
            "no_known_allergies": True,
            "medicines": [{"name": "Vitamin D", "dose": "2,000 IU", "how_often": "every day"}],
            "emergency_contacts": [contact],
            "driver": contact,
        },
        {
            "allergies": [{"substance": "Penicillin", "reaction": "rash"}],
            "medicines": [{"name": "Baclofen", "dose": "10 mg", "how_often": "three times a day"}],
            "conditions": [{"name": "Asthma"}],
            "emergency_contacts": [contact],
        },
    ]
    return {"name": name, "checked_on": (today - timedelta(days=10 + index)).isoformat(), **cards[index % 3]}


def _next_open_day(day: date, open_days: list[int]) -> date:
    while day.weekday() not in open_days:
        day += timedelta(days=1)
    return day


def _given_doses(db: Session, prescription: Prescription, nurse_id: int, today: date, now: datetime) -> int:
    """Record the calendar's doses before today as given; returns how many."""
    therapy = load_catalog().get(prescription.therapy_id)
    bsa = prescription.options.get("bsa")
    try:
        plan = dose_calendar(therapy, prescription.start_date, until=today + timedelta(days=400), bsa=bsa)
    except RegimenError:
        return 0
    past = [dose for dose in plan.doses if dose.date < today]
    db.add_all(
        GivenDose(
            prescription_id=prescription.id,
            given_on=dose.date,
            dose_index=dose.number,
            amount_mg=dose.dose_mg,
            recorded_by=nurse_id,
            recorded_at=now,
        )
        for dose in past
    )
    db.flush()
    db.refresh(prescription)
    return len(past)


DEMO_HORIZON = timedelta(days=120)
"""How far ahead the demo's visits are booked by the booking engine."""


def _book_with_the_engine(
    db: Session, center_id: int, prescriptions: list[Prescription], today: date, now: datetime
) -> int:
    """Book every dose due in the next months with the booking engine: each visit keeps the label rules."""
    request = bookings.booking_request(db, center_id, today, prescriptions, today + DEMO_HORIZON, first_day=today)
    plan = book(request, time_limit=20.0)
    return len(bookings.write_bookings(db, center_id, plan, list(plan.bookings), prescriptions, None, now, "demo"))
