"""Book a whole request: search the level of each day, then assemble and validate the plan.

Method (a rolling earliest-deadline booking under day-capacity levels, then a fast exact placement of
each day, instead of one month-scale CP-SAT model: the label rules of later doses depend on the dates
booked for earlier ones, and `regimens.py` computes them exactly one booking at a time):

1. The relaxation of :mod:`msinfusion.booking.bound` gives a proven lower bound on the busiest
   day's chair-minutes (the densest run of open days).
2. Each try books every dose earliest-deadline-first (:class:`~msinfusion.booking.engine.Booker`).
   The first try has no level and says how many doses can be booked; the next ones keep every day at
   or under a level of ``step x`` the bound where they can, with ``step`` rising from 1.00 to 1.20.
   The first levelled try that books as many doses and whose every day held the level stops the
   search (a higher level only allows a busier busiest day); the best try by (doses unbooked, busiest
   day, days moved) found within the time limit wins.
3. Each booked dose is placed on its day at once: a start, a chair and a nurse per task
   (:class:`~msinfusion.booking.ledger.DayLedger`), so every day is feasible for the day scheduler.

What it optimises, in order: doses booked; the busiest open day's chair-minutes; moves away from the
due dates, with preferences met where the rules allow. What it proves: every plan it returns has
passed the solver-free validator (:func:`msinfusion.booking.validation.check_plan`: the label rules
through `regimens.py`, open days, a valid day schedule for every booked date, promised visits kept,
headroom kept), and :func:`relaxation_bound` says how far the busiest day can be from the best level.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from msinfusion.booking.bound import PeakBound, peak_lower_bound
from msinfusion.booking.doses import DueDose, PatientRegimen, therapy_of
from msinfusion.booking.engine import Booker
from msinfusion.booking.ledger import DayLedger
from msinfusion.booking.openings import OpenDays
from msinfusion.booking.plan import (
    Booking,
    BookingPlan,
    ChairMinutes,
    DateSpan,
    DaySchedule,
    Moves,
    Summary,
    Unbooked,
)
from msinfusion.booking.preferences import day_suits, time_suits
from msinfusion.booking.request import BookingRequest
from msinfusion.booking.validation import check_plan

__all__ = ["CAP_STEPS", "BookingProgress", "assemble", "book", "naive_plan", "relaxation_bound"]

CAP_STEPS = (1.0, 1.01, 1.02, 1.03, 1.05, 1.08, 1.12, 1.2)
"""Levels tried after a first try without one, as multiples of the lower bound."""

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class BookingProgress:
    """One step of the search: the level tried (a multiple of the bound), the best plan so far."""

    step: float | None
    peak: int
    unbooked: int
    bound: float
    elapsed: float


ProgressCallback = Callable[[BookingProgress], None]


def open_dates(request: BookingRequest, openings: OpenDays) -> list[dt.date]:
    """The open dates of the horizon."""
    days = []
    day = request.horizon.start
    while day <= request.horizon.end:
        if openings.is_open(day):
            days.append(day)
        day += ONE_DAY
    return days


def relaxation_bound(request: BookingRequest, openings: OpenDays | None = None) -> PeakBound:
    """The lower bound on the busiest day's chair-minutes over the bookable open days.

    Promised visits are fixed load; a patient's doses that a promised visit stands for are requested
    at its date (so later doses follow from it, as in the booker); a course with no run of open days
    in its window cannot be booked at all and is left out.
    """
    booker = Booker(request, openings=openings)
    booker.place_existing()
    first = booker.first
    days = [day for day in open_dates(request, booker.openings) if day >= first]
    fixed = {day: ledger.load for day, ledger in booker.ledgers.items()}
    doses: list[tuple[dt.date, dt.date, int]] = []
    for patient_id, regimen in booker.regimens.items():
        promised = list(booker.promised.get(patient_id, []))
        booked: dict[int, dt.date] = {}
        while True:
            due, _ = regimen.due_doses(booked)
            match = next(
                (
                    (dose.number, visit)
                    for dose in due
                    if dose.number not in booked
                    for visit in promised
                    if therapy_of(visit.treatment) == regimen.therapy.id and visit.date in dose.window
                ),
                None,
            )
            if match is None:
                break
            booked[match[0]] = match[1].date
            promised.remove(match[1])
        doses += _relaxed_windows(booker, [dose for dose in due if dose.number not in booked and not dose.overdue])
    return peak_lower_bound(days, fixed, doses)


def _relaxed_windows(booker: Booker, due: list[DueDose]) -> list[tuple[dt.date, dt.date, int]]:
    """Each dose's window; a course day ``i`` takes day 1's window shifted by ``i - 1`` days."""
    windows: list[tuple[dt.date, dt.date, int]] = []
    course_start: dict[int | None, tuple[dt.date, dt.date] | None] = {}
    for dose in due:
        if dose.course_day is not None and dose.course_day > 1 and dose.course in course_start:
            start = course_start[dose.course]
            if start is not None:  # else the course cannot start at all
                shift = (dose.course_day - 1) * ONE_DAY
                windows.append((start[0] + shift, start[1] + shift, dose.minutes))
            continue
        if dose.course_day == 1:
            length = sum(1 for d in due if d.course == dose.course)
            if not _has_open_run(booker, dose.window.start, dose.window.end, length):
                course_start[dose.course] = None
                continue
            course_start[dose.course] = (dose.window.start, dose.window.end)
        windows.append((dose.window.start, dose.window.end, dose.minutes))
    return windows


def _has_open_run(booker: Booker, low: dt.date, high: dt.date, length: int) -> bool:
    day = max(low, booker.first)
    while day <= high:
        if all(booker.openings.is_open(day + i * ONE_DAY) for i in range(length)):
            return day + (length - 1) * ONE_DAY <= booker.last
        day += ONE_DAY
    return False


def _run(
    request: BookingRequest,
    openings: OpenDays,
    cap: int | None,
    naive: bool = False,
    regimens: dict[str, PatientRegimen] | None = None,
) -> Booker:
    booker = Booker(request, cap=cap, naive=naive, openings=openings, regimens=regimens)
    booker.place_existing()
    booker.run([patient.id for patient in request.patients])
    return booker


def _peak(booker: Booker) -> int:
    return max((ledger.load for ledger in booker.ledgers.values()), default=0)


def _key(booker: Booker) -> tuple[int, int, int]:
    moves = sum(abs((b.date - b.dose.due).days) for b in booker.booked.values())
    return (len(booker.unbooked), _peak(booker), moves)


def book(
    request: BookingRequest, *, time_limit: float = 30.0, on_progress: ProgressCallback | None = None
) -> BookingPlan:
    """The best plan found within ``time_limit`` seconds, validated."""
    started = time.monotonic()
    openings = OpenDays(request.center, request.today, request.horizon.end)
    bound = relaxation_bound(request, openings)
    best: Booker | None = None
    regimens = {patient.id: PatientRegimen(patient, request) for patient in request.patients}
    unbooked_without_level: int | None = None
    for step in (None, *CAP_STEPS):
        cap = None if step is None else math.ceil(bound.chair_minutes * step)
        booker = _run(request, openings, cap, regimens=regimens)
        if unbooked_without_level is None:
            unbooked_without_level = len(booker.unbooked)
        if best is None or _key(booker) < _key(best):
            best = booker
        elapsed = time.monotonic() - started
        if on_progress is not None:
            on_progress(BookingProgress(step, _peak(best), len(best.unbooked), bound.chair_minutes, elapsed))
        if cap is not None and _peak(booker) <= cap and len(booker.unbooked) <= unbooked_without_level:
            break  # the level held and booked as many: a higher level only allows a busier busiest day
        if elapsed > time_limit * 0.8:
            break
    assert best is not None
    return assemble(request, best, started)


def naive_plan(request: BookingRequest) -> BookingPlan:
    """The usual way: each dose on its due date or the next open day with room, first come first served."""
    started = time.monotonic()
    openings = OpenDays(request.center, request.today, request.horizon.end)
    return assemble(request, _run(request, openings, None, naive=True), started)


def assemble(
    request: BookingRequest, booker: Booker, started: float, previous: BookingPlan | None = None
) -> BookingPlan:
    """The plan of a finished booker, with its summary, checked by the validator.

    A day whose visits sit exactly as in ``previous`` keeps that plan's day and schedule objects.
    """
    bookings = [
        Booking(
            patient=b.dose.patient,
            dose=b.dose.number,
            treatment=b.dose.treatment,
            due=b.dose.due,
            window=DateSpan(start=b.dose.window.start, end=b.dose.window.end),
            date=b.date,
            start=b.seat.start,
            chair=b.seat.chair,
            moved=b.moved,
        )
        for b in sorted(booker.booked.values(), key=lambda b: (b.date, b.seat.start, b.dose.patient, b.dose.number))
    ]
    unbooked = [
        Unbooked(
            patient=dose.patient,
            dose=dose.number,
            due=dose.due,
            window=DateSpan(start=dose.window.start, end=dose.window.end),
            reason=reason,
        )
        for dose, reason in sorted(booker.unbooked.values(), key=lambda u: (u[0].due, u[0].patient, u[0].number))
    ]
    before = {entry.date: entry for entry in previous.days} if previous is not None else {}
    days = []
    for date in sorted(booker.ledgers):
        ledger = booker.ledgers[date]
        if not ledger.visits:
            continue
        old = before.get(date)
        if old is not None and _same_visits(old, ledger):
            days.append(old)
            continue
        day = ledger.day()
        days.append(DaySchedule(date=date, day=day, schedule=ledger.schedule(day)))
    openings = booker.openings
    dates = open_dates(request, openings)
    loads = [booker.ledgers[d].load if d in booker.ledgers else 0 for d in dates]
    moved = [abs((b.date - b.due).days) for b in bookings if b.date != b.due]
    plan = BookingPlan(
        center=request.center.name,
        bookings=bookings,
        unbooked=unbooked,
        days=days,
        summary=Summary(
            booked=len(bookings),
            unbooked=len(unbooked),
            open_days=len(dates),
            chair_minutes=ChairMinutes(
                max=max(loads, default=0),
                mean=round(statistics.fmean(loads), 1) if loads else 0.0,
                min=min(loads, default=0),
            ),
            moved_from_due=Moves(count=len(moved), mean_days=round(statistics.fmean(moved), 2) if moved else 0.0),
            preferences_met=preferences_met(request, bookings, openings),
            seconds=round(time.monotonic() - started, 2),
        ),
    )
    check_plan(request, plan)
    return plan


def _same_visits(entry: DaySchedule, ledger: DayLedger) -> bool:
    """Whether a previous day holds exactly the ledger's visits, seats and phases."""
    if len(entry.schedule.assignments) != len(ledger.visits) or entry.day.center.closes != ledger.closes:
        return False
    phases = {a.id: tuple(a.phases or ()) for a in entry.day.appointments}
    for assignment in entry.schedule.assignments:
        visit = ledger.visits.get(assignment.appointment)
        if visit is None or phases.get(assignment.appointment) != visit.phases:
            return False
        seat = visit.seat
        nurses = tuple(task.nurse for task in assignment.nurse_tasks)
        if (assignment.start, assignment.chair, nurses) != (seat.start, seat.chair, seat.nurses):
            return False
    return True


def preferences_met(request: BookingRequest, bookings: list[Booking], openings: OpenDays) -> float:
    """Share of bookings meeting the patient's preferences, among those whose window allows one."""
    preferences = {p.id: p.preferences for p in request.patients if p.preferences is not None}
    first = max(request.today, request.horizon.start)
    possible = met = 0
    for booking in bookings:
        wanted = preferences.get(booking.patient)
        if wanted is None:
            continue
        day = max(booking.window.start, first)
        allows = False
        while day <= min(booking.window.end, request.horizon.end):
            if openings.is_open(day) and day_suits(wanted, day):
                allows = True
                break
            day += ONE_DAY
        if not allows:
            continue
        possible += 1
        if day_suits(wanted, booking.date) and time_suits(wanted, booking.start):
            met += 1
    return round(met / possible, 4) if possible else 1.0
