"""Rebooking: one event changes a plan, and only the doses it affects move.

Events: a dose given late, a dose refused (too early, or on the day) or missed, a visit cancelled, a
new closure, a new patient. Each event updates the request (given dates: the late dose and the
patient's earlier booked doses, which took place; a date the patient cannot come; a closure; a patient),
then every booking it does not affect is kept exactly (date, start, chair, nurses) and the affected
patients' doses are booked again, each keeping its previous date, start and chair when the label rules
and the day still allow it. A refused or missed dose is booked only after the day it was refused or
missed (or left unbooked for the prescriber when its window has passed). The result lists every booking
that moved and by how many days; the new plan passes the validator like any other.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from msinfusion.booking.doses import DueDose, therapy_of
from msinfusion.booking.engine import Booked, Booker
from msinfusion.booking.ledger import Seat
from msinfusion.booking.plan import Booking, BookingPlan
from msinfusion.booking.planner import assemble
from msinfusion.booking.request import BookingProblem, BookingRequest, Patient, Preferences
from msinfusion.regimens import Window
from msinfusion.scheduling.day import Phase

__all__ = [
    "CancelledVisit",
    "Event",
    "LateDose",
    "MissedDose",
    "Move",
    "NewClosure",
    "NewPatient",
    "Rebooking",
    "RefusedDose",
    "rebook",
]

ONE_DAY = dt.timedelta(days=1)


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LateDose(_Event):
    """Dose ``dose`` was given on ``given``, later than booked: later doses are counted from it."""

    kind: Literal["late"] = "late"
    patient: str
    dose: int = Field(ge=1)
    given: dt.date


class RefusedDose(_Event):
    """Dose ``dose`` was refused on ``on`` (e.g. too early): it is booked again after that day."""

    kind: Literal["refused"] = "refused"
    patient: str
    dose: int = Field(ge=1)
    on: dt.date


class MissedDose(_Event):
    """The patient missed dose ``dose`` on ``on``: it is booked again after that day."""

    kind: Literal["missed"] = "missed"
    patient: str
    dose: int = Field(ge=1)
    on: dt.date


class CancelledVisit(_Event):
    """The patient cancelled the visit of dose ``dose``: it is booked again on another day."""

    kind: Literal["cancelled"] = "cancelled"
    patient: str
    dose: int = Field(ge=1)


class NewClosure(_Event):
    """The center closes on ``date``: that day's bookings (and what follows from them) move."""

    kind: Literal["closure"] = "closure"
    date: dt.date


class NewPatient(_Event):
    """A new patient's regimen is added to a booked plan; nobody else moves."""

    kind: Literal["new-patient"] = "new-patient"
    patient: Patient


Event = Annotated[
    LateDose | RefusedDose | MissedDose | CancelledVisit | NewClosure | NewPatient, Field(discriminator="kind")
]


@dataclass(frozen=True)
class Move:
    """A booking that changed: its date and start before and after (``None`` after: now unbooked)."""

    patient: str
    dose: int
    before: dt.date
    after: dt.date | None
    start_before: int
    start_after: int | None

    @property
    def days(self) -> int | None:
        return None if self.after is None else (self.after - self.before).days


@dataclass(frozen=True)
class Rebooking:
    """The updated request, the new (validated) plan, and every booking that moved."""

    request: BookingRequest
    plan: BookingPlan
    moves: list[Move]


def _replace_patient(request: BookingRequest, patient: Patient, **changes: object) -> BookingRequest:
    given = changes.get("given")
    if isinstance(given, list) and given and given[0] < patient.start:
        changes["start"] = given[0]  # dose 1 was booked early in its window and given: the regimen starts then
    patients = [p.model_copy(update=changes) if p.id == patient.id else p for p in request.patients]
    return request.model_copy(update={"patients": patients})


def _given_through(request: BookingRequest, plan: BookingPlan, patient_id: str, dose: int) -> list[dt.date]:
    """The patient's given dates plus the booked dates of every dose before ``dose`` (they took place)."""
    try:
        patient = request.patient(patient_id)
    except KeyError:
        raise BookingProblem("patient", f"unknown patient {patient_id!r}") from None
    booked = {b.dose: b.date for b in plan.bookings if b.patient == patient_id}
    given = list(patient.given)
    for number in range(len(given) + 1, dose):
        if number not in booked:
            raise BookingProblem("dose", f"dose {number} of {patient_id} is neither given nor booked")
        given.append(booked[number])
    return given


def _apply(
    request: BookingRequest, plan: BookingPlan, event: Event
) -> tuple[BookingRequest, dict[str, int], set[tuple[str, int]]]:
    """The updated request, the first affected dose per patient, and the bookings that may not stay."""
    if isinstance(event, NewPatient):
        if any(p.id == event.patient.id for p in request.patients):
            raise BookingProblem("patient.id", f"duplicate id {event.patient.id!r}")
        return request.model_copy(update={"patients": [*request.patients, event.patient]}), {event.patient.id: 1}, set()
    if isinstance(event, NewClosure):
        center = request.center.model_copy(update={"closures": sorted({*request.center.closures, event.date})})
        hit = [b for b in plan.bookings if b.date == event.date]
        first: dict[str, int] = {}
        for booking in hit:
            first[booking.patient] = min(first.get(booking.patient, booking.dose), booking.dose)
        return request.model_copy(update={"center": center}), first, {(b.patient, b.dose) for b in hit}
    patient = request.patient(event.patient) if any(p.id == event.patient for p in request.patients) else None
    if patient is None:
        raise BookingProblem("patient", f"unknown patient {event.patient!r}")
    if isinstance(event, LateDose):
        given = [*_given_through(request, plan, patient.id, event.dose), event.given]
        return _replace_patient(request, patient, given=given), {patient.id: event.dose + 1}, set()
    if isinstance(event, RefusedDose | MissedDose):
        given = _given_through(request, plan, patient.id, event.dose)
        return _replace_patient(request, patient, given=given), {patient.id: event.dose}, {(patient.id, event.dose)}
    cancelled = next((b for b in plan.bookings if (b.patient, b.dose) == (patient.id, event.dose)), None)
    if cancelled is None:
        raise BookingProblem("dose", f"dose {event.dose} of {patient.id} is not booked")
    wanted = patient.preferences or Preferences()
    wanted = wanted.model_copy(update={"unavailable": sorted({*wanted.unavailable, cancelled.date})})
    return (
        _replace_patient(request, patient, preferences=wanted),
        {patient.id: event.dose},
        {(cancelled.patient, cancelled.dose)},
    )


def rebook(request: BookingRequest, plan: BookingPlan, event: Event) -> Rebooking:
    """Apply ``event`` to ``plan`` and book again only the doses it affects."""
    started = time.monotonic()
    updated, first, dropped = _apply(request, plan, event)
    affected = set(first)
    cap = plan.summary.chair_minutes.max or None
    booker = Booker(updated, cap=cap)
    if isinstance(event, RefusedDose | MissedDose):
        booker.not_before[(event.patient, event.dose)] = event.on + ONE_DAY
    seats = _seats_by_visit(plan)
    booker.place_existing(seats)
    phases = _phases_by_visit(plan)
    existing_ids = {v.id for v in updated.existing}
    prefix: dict[str, dict[int, dt.date]] = {p: {} for p in affected}
    hints: dict[tuple[str, int], tuple[dt.date, int, str]] = {}
    given_now = {p.id: len(p.given) for p in updated.patients}
    for booking in plan.bookings:
        key = (booking.patient, booking.dose)
        if booking.dose <= given_now.get(booking.patient, 0):
            continue  # now given
        if booking.patient in affected and booking.dose >= first[booking.patient]:
            if key not in dropped:
                hints[key] = (booking.date, booking.start, booking.chair)
            continue
        _keep(booker, booking, phases, seats, existing_ids)
        if booking.patient in affected:
            prefix[booking.patient][booking.dose] = booking.date
    for unbooked in plan.unbooked:
        if unbooked.patient not in affected and unbooked.dose > given_now.get(unbooked.patient, 0):
            dose = DueDose(
                unbooked.patient,
                unbooked.dose,
                "",
                unbooked.due,
                Window(unbooked.window.start, unbooked.window.end),
                None,
                None,
                (),
            )
            booker.unbooked[dose.key] = (dose, unbooked.reason)
    order = [p.id for p in updated.patients if p.id in affected]
    booker.run(order, prefix, hints)
    new_plan = assemble(updated, booker, started, previous=plan)
    return Rebooking(updated, new_plan, _moves(plan, new_plan))


def _seats_by_visit(plan: BookingPlan) -> dict[tuple[dt.date, str], Seat]:
    """Each visit's seat in the previous plan: start, chair and the nurse of each task."""
    return {
        (entry.date, a.appointment): Seat(a.start, a.chair, tuple(task.nurse for task in a.nurse_tasks))
        for entry in plan.days
        for a in entry.schedule.assignments
    }


def _phases_by_visit(plan: BookingPlan) -> dict[tuple[dt.date, str], tuple[Phase, ...]]:
    return {
        (entry.date, appointment.id): tuple(appointment.phases or ())
        for entry in plan.days
        for appointment in entry.day.appointments
    }


def _keep(
    booker: Booker,
    booking: Booking,
    phases: dict[tuple[dt.date, str], tuple[Phase, ...]],
    seats: dict[tuple[dt.date, str], Seat],
    existing_ids: set[str],
) -> None:
    """Put a booking back exactly where it was (or onto the promised visit it stands for)."""
    dose = DueDose(
        booking.patient,
        booking.dose,
        booking.treatment,
        booking.due,
        Window(booking.window.start, booking.window.end),
        None,
        None,
        phases.get((booking.date, booking.appointment), ()),
    )
    appointment = booking.appointment
    if (booking.date, appointment) not in phases:
        promised = next(
            (
                v
                for v in booker.promised.get(booking.patient, [])
                if v.date == booking.date and therapy_of(v.treatment) == therapy_of(booking.treatment)
            ),
            None,
        )
        if promised is not None and promised.id in existing_ids:
            booker.promised[booking.patient].remove(promised)
            seat = booker.ledgers[promised.date].visits[promised.id].seat
            booker.booked[dose.key] = Booked(dose, booking.date, seat, promised.id, booking.moved)
            return
    seat = booker.place_fixed(
        appointment,
        booking.patient,
        booking.treatment,
        dose.phases,
        booking.date,
        booking.start,
        booking.chair,
        "plan",
        seats.get((booking.date, appointment)),
    )
    booker.booked[dose.key] = Booked(
        dose, booking.date, Seat(seat.start, seat.chair, seat.nurses), appointment, booking.moved
    )


def _moves(before: BookingPlan, after: BookingPlan) -> list[Move]:
    now = {(b.patient, b.dose): b for b in after.bookings}
    unbooked = {(u.patient, u.dose) for u in after.unbooked}
    moves = []
    for booking in before.bookings:
        key = (booking.patient, booking.dose)
        new = now.get(key)
        if new is not None and (new.date, new.start) != (booking.date, booking.start):
            moves.append(Move(booking.patient, booking.dose, booking.date, new.date, booking.start, new.start))
        elif new is None and key in unbooked:
            moves.append(Move(booking.patient, booking.dose, booking.date, None, booking.start, None))
    return moves
