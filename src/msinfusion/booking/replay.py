"""A stored plan checked again against the center as it is now, without planning again.

A regimen booking is planned in the background and confirmed later; meanwhile other visits may have
been booked, moved or cancelled, the center's hours or headroom changed, a dose given. :func:`replay`
puts the request's promised visits on their days (as the booker does), then each stored booking at its
date, start and chair, with a free nurse for each nurse task, within the day's capacity less headroom
(:class:`~msinfusion.booking.ledger.DayLedger`), and hands the plan it so rebuilt to the independent
validator (:func:`~msinfusion.booking.validation.plan_violations`): the label rules, the open days and
every booked day's chairs, nurses and nurse ratio. Nothing is searched: a booking that no longer fits
is a problem, never moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from msinfusion.booking.doses import PatientRegimen, visit_phases
from msinfusion.booking.engine import Booker
from msinfusion.booking.plan import Booking, BookingPlan, ChairMinutes, DaySchedule, Moves, Summary, Unbooked
from msinfusion.booking.request import BookingProblem, BookingRequest
from msinfusion.booking.validation import plan_violations

__all__ = ["Replay", "replay"]


class Replay:
    """The outcome of :func:`replay`: the rebuilt plan when it still holds, else what no longer does."""

    def __init__(self, plan: BookingPlan | None, problems: list[str]) -> None:
        self.plan = plan
        self.problems = problems

    @property
    def holds(self) -> bool:
        return self.plan is not None and not self.problems


def replay(request: BookingRequest, bookings: Sequence[Booking], unbooked: Sequence[Unbooked]) -> Replay:
    """``bookings`` (and ``unbooked``) placed exactly as stored on the center of ``request``, then validated."""
    booker = Booker(request)
    try:
        booker.place_existing()
    except BookingProblem as exc:
        return Replay(None, [str(exc)])
    booked: dict[str, dict[int, dt.date]] = {}
    for booking in bookings:
        booked.setdefault(booking.patient, {})[booking.dose] = booking.date
    due = {
        dose.key: dose
        for patient in request.patients
        for dose in PatientRegimen(patient, request).due_doses(booked.get(patient.id, {}))[0]
    }
    problems: list[str] = []
    for booking in sorted(bookings, key=lambda b: (b.date, b.start, b.patient, b.dose)):
        label = f"dose {booking.dose} on {booking.date.isoformat()}"
        ledger = booker.ledger(booking.date)
        if ledger is None:
            problems.append(f"{label}: {booker.openings.why_closed(booking.date)}")
            continue
        dose = due.get((booking.patient, booking.dose))
        phases = dose.phases if dose is not None else visit_phases(request.center, booking.treatment)
        minutes = sum(phase.minutes for phase in phases)
        if not ledger.room_for(minutes):
            problems.append(f"{label}: the day is full (its capacity less the headroom)")
            continue
        seat = ledger.try_seat(phases, booking.start, booking.chair)
        if seat is None:
            problems.append(f"{label}: chair {booking.chair} or a nurse is no longer free at that time")
            continue
        ledger.place(booking.appointment, booking.patient, booking.treatment, phases, seat)
    if problems:
        return Replay(None, problems)
    days = []
    for date in sorted(booker.ledgers):
        ledger = booker.ledgers[date]
        if ledger.visits:
            day = ledger.day()
            days.append(DaySchedule(date=date, day=day, schedule=ledger.schedule(day)))
    moved = [abs((b.date - b.due).days) for b in bookings if b.date != b.due]
    plan = BookingPlan(
        center=request.center.name,
        bookings=list(bookings),
        unbooked=list(unbooked),
        days=days,
        summary=Summary(
            booked=len(bookings),
            unbooked=len(unbooked),
            open_days=0,
            chair_minutes=ChairMinutes(max=0, mean=0.0, min=0),
            moved_from_due=Moves(count=len(moved), mean_days=round(sum(moved) / len(moved), 2) if moved else 0.0),
            preferences_met=1.0,
            seconds=0.0,
        ),
    )
    violations = plan_violations(request, plan)
    return Replay(None if violations else plan, violations)
