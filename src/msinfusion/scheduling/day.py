"""The input of day scheduling: one infusion center, one day (`msinfusion.day/1`).

The models round-trip the interchange format exactly (`shared/formats/day-schedule.md`): fields that
were not given are not written back (`to_json` dumps with `exclude_unset`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator

from msinfusion.scheduling.clock import Clock
from msinfusion.scheduling.problems import DayProblem, first_error

__all__ = [
    "DAY_FORMAT",
    "Appointment",
    "Center",
    "Chair",
    "Day",
    "Fixed",
    "Nurse",
    "Phase",
    "PhaseLike",
    "parse_day",
    "with_catalog_phases",
]

DAY_FORMAT = "msinfusion.day/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Chair(_Model):
    """A chair (or bed) of the center, with the features it offers."""

    id: str = Field(min_length=1)
    features: list[str] = []


class Nurse(_Model):
    """A nurse and the shift they are on during the day."""

    id: str = Field(min_length=1)
    shift_start: Clock
    shift_end: Clock

    @model_validator(mode="after")
    def _shift_is_forward(self) -> Nurse:
        if self.shift_end <= self.shift_start:
            raise ValueError("shift_end must be after shift_start")
        return self


class Center(_Model):
    """The center's opening hours, chairs, nurses and nurse ratio for the day."""

    name: str
    date: dt.date
    timezone: str
    opens: Clock
    closes: Clock
    chairs: list[Chair]
    nurses: list[Nurse]
    max_patients_per_nurse: PositiveInt

    @model_validator(mode="after")
    def _opens_before_closes(self) -> Center:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class Phase(_Model):
    """One phase of a visit; a nurse is busy for its first `nurse_minutes` minutes."""

    name: str = Field(min_length=1)
    minutes: int = Field(ge=0)
    nurse_minutes: int = Field(ge=0)

    @model_validator(mode="after")
    def _nurse_within_phase(self) -> Phase:
        if self.nurse_minutes > self.minutes:
            raise ValueError("nurse_minutes must be <= minutes")
        return self


class Fixed(_Model):
    """An appointment already promised: its start and/or chair must be kept."""

    start: Clock | None = None
    chair: str | None = None

    @model_validator(mode="after")
    def _names_something(self) -> Fixed:
        if self.start is None and self.chair is None:
            raise ValueError("fixed needs a start or a chair")
        return self


class Appointment(_Model):
    """One visit to place: its phases (or a catalog dose), its window, preference and needs."""

    id: str = Field(min_length=1)
    patient: str
    treatment: str
    phases: list[Phase] | None = None
    earliest_start: Clock | None = None
    latest_end: Clock | None = None
    preferred_start: Clock | None = None
    requires: list[str] = []
    priority: PositiveInt = 1
    fixed: Fixed | None = None

    @property
    def minutes(self) -> int:
        """Chair minutes of the visit: the sum of its phases (phases must be resolved)."""
        return sum(phase.minutes for phase in self.resolved_phases)

    @property
    def resolved_phases(self) -> list[Phase]:
        """The phases; raises if the appointment still names only a catalog dose."""
        if self.phases is None:
            raise ValueError(f"appointment {self.id} has no phases; resolve them from the catalog first")
        return self.phases


class Day(_Model):
    """One infusion-center day to schedule."""

    format: Literal["msinfusion.day/1"]
    center: Center
    appointments: list[Appointment]

    def to_json(self, indent: int | None = 2) -> str:
        """Serialize to the interchange format, leaving out fields that were never given."""
        return json.dumps(self.model_dump(mode="json", exclude_unset=True), indent=indent) + "\n"


class PhaseLike(Protocol):
    """What a catalog visit phase offers (`msinfusion.visits.VisitPhase`)."""

    @property
    def name(self) -> str: ...
    @property
    def minutes(self) -> int: ...
    @property
    def nurse_minutes(self) -> int: ...


PhaseLookup = Callable[[str], Sequence[PhaseLike]]


def parse_day(data: str | bytes | dict[str, Any]) -> Day:
    """Parse and check a day; raise :class:`DayProblem` naming the first bad field.

    Checks beyond the field types: unique chair, nurse and appointment ids, and fixed chairs that exist.
    Catalog phases are not resolved here (see :func:`with_catalog_phases`).
    """
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise DayProblem("(file)", f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(data, dict):
            raise DayProblem("(file)", "must be a JSON object")
    if "format" in data and data["format"] != DAY_FORMAT:
        raise DayProblem("format", f"must be {DAY_FORMAT!r}, got {data['format']!r}")
    try:
        day = Day.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc) from None
    _check_references(day)
    return day


def _check_references(day: Day) -> None:
    for field, ids in (
        ("center.chairs", [chair.id for chair in day.center.chairs]),
        ("center.nurses", [nurse.id for nurse in day.center.nurses]),
        ("appointments", [appointment.id for appointment in day.appointments]),
    ):
        seen: set[str] = set()
        for index, identifier in enumerate(ids):
            if identifier in seen:
                raise DayProblem(f"{field}[{index}].id", f"duplicate id {identifier!r}")
            seen.add(identifier)
    chair_ids = {chair.id for chair in day.center.chairs}
    for index, appointment in enumerate(day.appointments):
        fixed = appointment.fixed
        if fixed is not None and fixed.chair is not None and fixed.chair not in chair_ids:
            raise DayProblem(f"appointments[{index}].fixed.chair", f"unknown chair {fixed.chair!r}")


def with_catalog_phases(day: Day, lookup: PhaseLookup | None = None) -> Day:
    """Return the day with every appointment's phases given, taking omitted ones from the catalog.

    `lookup` maps a treatment code to its visit phases; by default the catalog's visit timelines
    (`msinfusion.visits.phases_for_treatment`). An unknown code raises :class:`DayProblem`.
    """
    missing = [index for index, appointment in enumerate(day.appointments) if appointment.phases is None]
    if not missing:
        return day
    if lookup is None:
        lookup = _catalog_lookup()
    appointments = list(day.appointments)
    for index in missing:
        appointment = appointments[index]
        try:
            found = lookup(appointment.treatment)
        except KeyError:
            raise DayProblem(
                f"appointments[{index}].treatment",
                f"unknown catalog dose {appointment.treatment!r}; give its phases",
            ) from None
        phases = [Phase(name=p.name, minutes=p.minutes, nurse_minutes=p.nurse_minutes) for p in found]
        appointments[index] = appointment.model_copy(update={"phases": phases})
    return day.model_copy(update={"appointments": appointments})


def _catalog_lookup() -> PhaseLookup:
    try:
        from msinfusion import visits
    except ImportError:

        def unavailable(code: str) -> Sequence[PhaseLike]:
            raise KeyError(code)

        return unavailable
    lookup: PhaseLookup = visits.phases_for_treatment
    return lookup
