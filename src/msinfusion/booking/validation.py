"""The independent checker of a booking plan: rules 1-5 of `shared/formats/regimen-booking.md`.

It imports no solver (a test checks it in a subprocess). The label rules come from the dose calendars
of `regimens.py` with the booked dates requested, exactly as `msinfusion calendar --given …` computes
them; each booked day goes through the day scheduler's own validator.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter

from msinfusion.booking.doses import DueDose, PatientRegimen, therapy_of, visit_phases
from msinfusion.booking.engine import COURSE_START_SPREAD
from msinfusion.booking.openings import OpenDays
from msinfusion.booking.plan import Booking, BookingPlan, DaySchedule
from msinfusion.booking.request import BookingRequest
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.day import Center
from msinfusion.scheduling.validation import schedule_violations

__all__ = ["InvalidPlan", "check_plan", "plan_violations"]

_BOOKING_WARNINGS = ("requested date", "breaks the minimum interval")


class InvalidPlan(AssertionError):
    """A plan that breaks a rule of the format; this is a bug of the booker, never bad input."""

    def __init__(self, violations: list[str]) -> None:
        shown = "; ".join(violations[:5])
        more = f" (+{len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(f"invalid booking plan: {shown}{more}")
        self.violations = violations


def check_plan(request: BookingRequest, plan: BookingPlan) -> None:
    """Raise :class:`InvalidPlan` listing every broken rule; return quietly if the plan is valid."""
    violations = plan_violations(request, plan)
    if violations:
        raise InvalidPlan(violations)


def plan_violations(request: BookingRequest, plan: BookingPlan) -> list[str]:
    """Every way ``plan`` breaks rules 1-5 for ``request`` (empty when valid)."""
    openings = OpenDays(request.center, request.today, request.horizon.end)
    problems: list[str] = []
    if plan.center != request.center.name:
        problems.append(f"center is {plan.center!r}, the request's is {request.center.name!r}")
    due_doses: dict[tuple[str, int], DueDose] = {}
    problems += _check_doses(request, plan, due_doses)
    for booking in plan.bookings:
        dose = due_doses.get((booking.patient, booking.dose))
        if dose is not None:
            problems += _check_booking(booking, dose, openings)
    problems += _check_course_starts(plan)
    problems += _check_days(request, plan, openings, due_doses)
    return problems


def _label(patient: str, dose: int) -> str:
    return f"patient {patient} dose {dose}"


def _check_doses(request: BookingRequest, plan: BookingPlan, due_doses: dict[tuple[str, int], DueDose]) -> list[str]:
    """Rule 1 (every due dose once) and the calendar's own warnings of rule 2."""
    problems: list[str] = []
    patients = {patient.id for patient in request.patients}
    booked: dict[str, dict[int, dt.date]] = {}
    for booking in plan.bookings:
        booked.setdefault(booking.patient, {})[booking.dose] = booking.date
    listed = Counter((b.patient, b.dose) for b in plan.bookings)
    listed.update((u.patient, u.dose) for u in plan.unbooked)
    for unbooked in plan.unbooked:
        if not unbooked.reason.strip():
            problems.append(f"{_label(unbooked.patient, unbooked.dose)}: unbooked without a reason")
    for patient in request.patients:
        regimen = PatientRegimen(patient, request)
        due, warnings = regimen.due_doses(booked.get(patient.id, {}))
        problems += [f"patient {patient.id}: {w}" for w in warnings if w.startswith(_BOOKING_WARNINGS)]
        for dose in due:
            due_doses[dose.key] = dose
            times = listed.pop(dose.key, 0)
            if times != 1:
                problems.append(f"{_label(*dose.key)} is due {dose.due.isoformat()} and appears {times} times")
    for (patient_id, number), _ in sorted(listed.items()):
        what = "an unknown patient" if patient_id not in patients else "not due in the horizon"
        problems.append(f"{_label(patient_id, number)} is listed but is {what}")
    return problems


def _check_booking(booking: Booking, dose: DueDose, openings: OpenDays) -> list[str]:
    """Rule 2 for one booking: its fields, its window, an open day."""
    label = _label(booking.patient, booking.dose)
    problems = []
    if dose.overdue:
        problems.append(f"{label}: overdue doses are not booked automatically")
    if booking.treatment != dose.treatment:
        problems.append(f"{label}: treatment {booking.treatment}, the calendar says {dose.treatment}")
    if booking.due != dose.due:
        problems.append(f"{label}: due {booking.due.isoformat()}, the calendar says {dose.due.isoformat()}")
    if (booking.window.start, booking.window.end) != (dose.window.start, dose.window.end):
        problems.append(
            f"{label}: window {booking.window.start.isoformat()}…{booking.window.end.isoformat()}, the calendar says "
            f"{dose.window.start.isoformat()}…{dose.window.end.isoformat()}"
        )
    if booking.date not in dose.window:
        problems.append(f"{label}: booked {booking.date.isoformat()}, outside its window")
    closed = openings.why_closed(booking.date)
    if closed is not None:
        problems.append(f"{label}: booked {booking.date.isoformat()}: {closed}")
    if booking.date != booking.due and not booking.moved:
        problems.append(f"{label}: off its due date without saying why")
    return problems


def _check_course_starts(plan: BookingPlan) -> list[str]:
    """Rule 2: the days of a course start at a similar time (center policy, within an hour)."""
    problems = []
    by_patient: dict[str, list[Booking]] = {}
    for booking in plan.bookings:
        by_patient.setdefault(booking.patient, []).append(booking)
    for bookings in by_patient.values():
        bookings.sort(key=lambda b: b.dose)
        for earlier, later in itertools.pairwise(bookings):
            consecutive = later.dose == earlier.dose + 1 and later.date == earlier.date + dt.timedelta(days=1)
            if consecutive and abs(later.start - earlier.start) > COURSE_START_SPREAD:
                problems.append(
                    f"{_label(later.patient, later.dose)}: starts {format_clock(later.start)}, the day before at "
                    f"{format_clock(earlier.start)} (a course keeps a similar start)"
                )
    return problems


def _check_days(
    request: BookingRequest, plan: BookingPlan, openings: OpenDays, due_doses: dict[tuple[str, int], DueDose]
) -> list[str]:
    """Rules 3-5: a valid day schedule for every booked date, promised visits kept, headroom kept."""
    problems: list[str] = []
    days: dict[dt.date, DaySchedule] = {}
    for entry in plan.days:
        if entry.date in days:
            problems.append(f"day {entry.date.isoformat()} is listed twice")
        days[entry.date] = entry
    expected: dict[dt.date, dict[str, tuple[str, int, str | None]]] = {}
    phases_of: dict[str, tuple[object, ...]] = {}
    for visit in request.existing:
        expected.setdefault(visit.date, {})[visit.id] = (visit.patient, visit.start, None)
        phases_of[visit.id] = visit_phases(request.center, visit.treatment)
    existing_by: dict[tuple[str, dt.date], list[tuple[str, str]]] = {}
    for visit in request.existing:
        existing_by.setdefault((visit.patient, visit.date), []).append((visit.id, therapy_of(visit.treatment)))
    for booking in plan.bookings:
        on_day = expected.setdefault(booking.date, {})
        therapy = therapy_of(booking.treatment)
        promised = next(
            (v for v, t in existing_by.get((booking.patient, booking.date), []) if t == therapy),
            None,
        )
        if promised is not None:
            _, start, _ = on_day[promised]
            if start != booking.start:
                problems.append(f"{_label(booking.patient, booking.dose)}: moves promised visit {promised}")
            on_day[promised] = (booking.patient, booking.start, booking.chair)
            continue
        on_day[booking.appointment] = (booking.patient, booking.start, booking.chair)
        dose = due_doses.get((booking.patient, booking.dose))
        if dose is not None:
            phases_of[booking.appointment] = dose.phases
    for date, visits in sorted(expected.items()):
        found = days.get(date)
        if found is None:
            problems.append(f"day {date.isoformat()} has visits but no schedule")
            continue
        problems += _check_day(request, openings, found, visits, phases_of)
    for date in sorted(set(days) - set(expected)):
        problems.append(f"day {date.isoformat()} is listed but has no booking or promised visit")
    return problems


def _check_day(
    request: BookingRequest,
    openings: OpenDays,
    entry: DaySchedule,
    visits: dict[str, tuple[str, int, str | None]],
    phases_of: dict[str, tuple[object, ...]],
) -> list[str]:
    date = entry.date
    hours = openings.hours(date)
    if hours is None:
        return [f"day {date.isoformat()}: {openings.why_closed(date)}"]
    center = request.center
    want = Center(
        name=center.name,
        date=date,
        timezone=center.timezone,
        opens=hours.opens,
        closes=hours.closes,
        chairs=list(center.chairs),
        nurses=list(hours.nurses),
        max_patients_per_nurse=center.max_patients_per_nurse,
    )
    problems: list[str] = []
    day, schedule = entry.day, entry.schedule
    if day.center != want:
        problems.append(f"day {date.isoformat()}: the center's chairs, nurses or hours differ from the request")
    appointments = {a.id: a for a in day.appointments}
    if set(appointments) != set(visits):
        missing = sorted(set(visits) - set(appointments))
        extra = sorted(set(appointments) - set(visits))
        problems.append(f"day {date.isoformat()}: visits missing {missing}, unknown {extra}")
    assigned = {a.appointment: a for a in schedule.assignments}
    for appointment_id, (patient, start, chair) in visits.items():
        appointment = appointments.get(appointment_id)
        if appointment is None:
            continue
        if appointment.patient != patient:
            problems.append(f"day {date.isoformat()}: {appointment_id} is for {appointment.patient}, not {patient}")
        wanted_phases = phases_of.get(appointment_id)
        if wanted_phases is not None and tuple(appointment.phases or ()) != wanted_phases:
            problems.append(f"day {date.isoformat()}: {appointment_id} does not have its catalog phases")
        assignment = assigned.get(appointment_id)
        if assignment is None:
            problems.append(f"day {date.isoformat()}: {appointment_id} is not in the schedule's assignments")
            continue
        if assignment.start != start:
            problems.append(
                f"day {date.isoformat()}: {appointment_id} starts {format_clock(assignment.start)}, "
                f"booked {format_clock(start)}"
            )
        if chair is not None and assignment.chair != chair:
            problems.append(f"day {date.isoformat()}: {appointment_id} sits in {assignment.chair}, booked {chair}")
    try:
        problems += [f"day {date.isoformat()}: {p}" for p in schedule_violations(day, schedule)]
    except ValueError as exc:
        problems.append(f"day {date.isoformat()}: {exc}")
    load = sum(a.minutes for a in day.appointments if a.phases is not None)
    capacity = math.floor((1 - center.headroom) * len(center.chairs) * (hours.closes - hours.opens) + 1e-9)
    if load > capacity:
        problems.append(f"day {date.isoformat()}: {load} chair-minutes booked, more than {capacity} (headroom)")
    return problems
