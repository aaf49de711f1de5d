"""The shapes of a dose calendar: each planned or given dose, its booking window, and the calendar itself."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from msinfusion.therapies.model import Therapy

DoseStatus = Literal["given", "planned"]


class RegimenError(ValueError):
    """Input that cannot give a calendar (e.g. a given date before the start, a missing BSA)."""


@dataclass(frozen=True, slots=True)
class Window:
    """The dates a dose may be booked on (center policy, clipped by the minimum interval)."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class PlannedDose:
    """One dose of a calendar."""

    number: int
    date: datetime.date
    target: datetime.date
    status: DoseStatus
    dose_mg: float | None
    amount: float
    unit: str
    treatment: str
    infusion: str
    window: Window
    course: int | None = None
    course_day: int | None = None
    notes: tuple[str, ...] = ()
    earliest: datetime.date | None = None
    """The first date the minimum interval allows (None when no minimum interval applies to this dose)."""


@dataclass(frozen=True)
class DoseCalendar:
    """Every dose of one patient's regimen from the start to the end date."""

    therapy: Therapy
    start: date
    until: date
    doses: list[PlannedDose]
    warnings: list[str] = field(default_factory=list)
    cumulative_per_m2: float | None = None

    @property
    def next_planned(self) -> PlannedDose | None:
        return next((d for d in self.doses if d.status == "planned"), None)
