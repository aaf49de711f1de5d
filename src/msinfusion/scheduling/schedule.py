"""The output of day scheduling: chairs, starts and nurses per appointment (`msinfusion.schedule/1`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from msinfusion.scheduling.clock import Clock
from msinfusion.scheduling.problems import DayProblem, first_error

__all__ = [
    "SCHEDULE_FORMAT",
    "Assignment",
    "Bound",
    "NurseTask",
    "Objective",
    "Schedule",
    "SolverInfo",
    "Unscheduled",
    "parse_schedule",
]

SCHEDULE_FORMAT = "msinfusion.schedule/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NurseTask(_Model):
    """A nurse busy with one phase of one appointment."""

    phase: str
    nurse: str
    start: Clock
    end: Clock


class Assignment(_Model):
    """Where and when one appointment takes place, and who does its nurse tasks."""

    appointment: str
    chair: str
    start: Clock
    end: Clock
    nurse_tasks: list[NurseTask]


class Unscheduled(_Model):
    """An appointment that could not be placed, and why, in words a scheduler can act on."""

    appointment: str
    reason: str


class Objective(_Model):
    """The lexicographic objective: priority scheduled first, then preference deviation."""

    scheduled_priority: int = Field(ge=0)
    scheduled: int = Field(ge=0)
    preference_deviation_minutes: int = Field(ge=0)


class Bound(_Model):
    """A proven upper bound on the scheduled priority."""

    scheduled_priority: int = Field(ge=0)


class SolverInfo(_Model):
    """Which solver produced the schedule, how sure it is, and how long it took."""

    name: str
    status: Literal["optimal", "feasible", "heuristic"]
    seconds: float = Field(ge=0)


class Schedule(_Model):
    """A day's schedule: every appointment appears once, assigned or unscheduled."""

    format: Literal["msinfusion.schedule/1"] = "msinfusion.schedule/1"
    center: str
    date: dt.date
    assignments: list[Assignment]
    unscheduled: list[Unscheduled]
    objective: Objective
    bound: Bound | None = None
    solver: SolverInfo

    def to_json(self, indent: int | None = 2) -> str:
        """Serialize to the interchange format (an absent bound is left out)."""
        data: dict[str, Any] = {"format": SCHEDULE_FORMAT}
        data.update(self.model_dump(mode="json", exclude_unset=True))
        return json.dumps(data, indent=indent) + "\n"


def parse_schedule(data: str | bytes | dict[str, Any]) -> Schedule:
    """Parse a schedule; raise :class:`DayProblem` naming the first bad field."""
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise DayProblem("(file)", f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    try:
        return Schedule.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc) from None
