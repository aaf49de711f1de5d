"""The label rules of booking, read from the dose calendars of `regimens.py` (their single source).

A patient's calendar is computed with the doses already booked as *requested* dates: each later dose's
target and window then follow from the booked dates (minimum intervals, consecutive course days, the
next dose counted from a late one), exactly as `msinfusion calendar` computes them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass

from msinfusion.booking.request import BookingCenter, BookingRequest, Patient
from msinfusion.regimens import DoseCalendar, PlannedDose, Window, dose_calendar
from msinfusion.scheduling.day import Phase
from msinfusion.therapies import load_catalog
from msinfusion.visits import dose_visit, phases_for_treatment, treatment_codes

__all__ = ["DueDose", "PatientRegimen", "center_phases", "existing_phases", "therapy_of", "visit_phases"]


@dataclass(frozen=True, slots=True)
class DueDose:
    """One dose to book: its due date, the window the label rules leave, and its visit phases."""

    patient: str
    number: int
    treatment: str
    due: dt.date
    window: Window
    course: int | None
    course_day: int | None
    phases: tuple[Phase, ...]
    overdue: bool = False

    @property
    def key(self) -> tuple[str, int]:
        return (self.patient, self.number)

    @property
    def minutes(self) -> int:
        """Chair minutes of the visit."""
        return sum(phase.minutes for phase in self.phases)


@functools.cache
def _phases(
    therapy_id: str, number: int, infusion: str, dose_mg: float | None, course_day: int | None
) -> tuple[Phase, ...]:
    therapy = load_catalog().get(therapy_id)
    dose = PlannedDose(
        number,
        dt.date.min,
        dt.date.min,
        "planned",
        dose_mg,
        0.0,
        "",
        "",
        infusion,
        Window(dt.date.min, dt.date.min),
        None,
        course_day,
    )
    timeline = dose_visit(therapy, dose)
    return tuple(
        Phase(name=p.name, minutes=p.minutes, nurse_minutes=p.nurse_minutes) for p in timeline.phases if p.minutes > 0
    )


@functools.cache
def existing_phases(treatment: str) -> tuple[Phase, ...]:
    """The catalog phases of a promised visit's treatment code (the day scheduler's view)."""
    return tuple(
        Phase(name=p.name, minutes=p.minutes, nurse_minutes=p.nurse_minutes) for p in phases_for_treatment(treatment)
    )


def center_phases(center: BookingCenter, treatment: str) -> tuple[Phase, ...] | None:
    """The center's own phases of a treatment code (its catalog overrides), or None: the catalog's."""
    own = center.visits.get(treatment)
    return tuple(p for p in own if p.minutes > 0) if own else None


def visit_phases(center: BookingCenter, treatment: str) -> tuple[Phase, ...]:
    """The phases of a promised visit at this center: its own where it set them, else the catalog's."""
    return center_phases(center, treatment) or existing_phases(treatment)


def therapy_of(treatment: str) -> str:
    """The therapy id of a catalog treatment code (a promised visit counts for a dose of its therapy)."""
    return treatment_codes()[treatment].therapy


class PatientRegimen:
    """One patient's therapy within a request: the doses due in the horizon, given some booked dates."""

    def __init__(self, patient: Patient, request: BookingRequest) -> None:
        self.patient = patient
        self.therapy = load_catalog().get(patient.therapy)
        self.today = request.today
        self.horizon = request.horizon
        self.center = request.center
        self._memo: dict[tuple[tuple[int, dt.date], ...], tuple[list[DueDose], list[str]]] = {}

    def calendar(self, booked: Mapping[int, dt.date]) -> DoseCalendar:
        """The dose calendar with the booked dates requested (later doses follow from them)."""
        patient = self.patient
        return dose_calendar(
            self.therapy,
            patient.start,
            self.horizon.end,
            patient.given,
            bsa=patient.bsa,
            option=patient.option,
            as_of=self.today,
            requested=dict(booked),
        )

    def due_doses(self, booked: Mapping[int, dt.date]) -> tuple[list[DueDose], list[str]]:
        """Every dose due in the horizon (booked ones included) and the calendar's warnings.

        A dose is due in the horizon when its date, as the calendar places it without a request,
        falls in the horizon; a dose whose window ended before today is due too, marked overdue.
        """
        if self.patient.start > self.horizon.end:
            return [], []
        key = tuple(sorted(booked.items()))
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._due_doses(booked)
        return list(found[0]), list(found[1])

    def _due_doses(self, booked: Mapping[int, dt.date]) -> tuple[list[DueDose], list[str]]:
        calendar = self.calendar(booked)
        due: list[DueDose] = []
        for dose in calendar.doses:
            if dose.status != "planned":
                continue
            if dose.number in booked:
                date = max(dose.target, dose.window.start)
                overdue = False
            else:
                date = dose.date
                overdue = any(note.startswith("missed") for note in dose.notes)
            if not overdue and not self.horizon.start <= date <= self.horizon.end:
                continue
            due.append(self._due(dose, date, overdue))
        return due, list(calendar.warnings)

    def _due(self, dose: PlannedDose, date: dt.date, overdue: bool) -> DueDose:
        return DueDose(
            patient=self.patient.id,
            number=dose.number,
            treatment=dose.treatment,
            due=date,
            window=dose.window,
            course=dose.course,
            course_day=dose.course_day,
            phases=center_phases(self.center, dose.treatment)
            or _phases(self.therapy.id, dose.number, dose.infusion, dose.dose_mg, dose.course_day),
            overdue=overdue,
        )
