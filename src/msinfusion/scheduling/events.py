"""What happened during a running day (`msinfusion.events/1`): the input of a repair.

```json
{
  "format": "msinfusion.events/1",
  "now": "11:00",
  "events": [
    {"kind": "late-arrival", "appointment": "A012", "arrives": "10:40"},
    {"kind": "no-show", "appointment": "A020"},
    {"kind": "reaction", "appointment": "A003", "at": "10:15", "pause_minutes": 20},
    {"kind": "nurse-leaves", "nurse": "N2", "at": "13:00"}
  ]
}
```

`rate_factor` of a reaction is optional when the treatment's label gives a reduced rate (the therapy
data files carry it with its sources); otherwise it must be given. The pause is always given: the
labels say "until symptoms resolve", never a number.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from msinfusion.scheduling.clock import Clock
from msinfusion.scheduling.problems import DayProblem, first_error

__all__ = ["EVENTS_FORMAT", "DayEvents", "Event", "LateArrival", "NoShow", "NurseLeaves", "Reaction", "parse_events"]

EVENTS_FORMAT = "msinfusion.events/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LateArrival(_Model):
    """A patient arrives (or will arrive) at `arrives`, after the start they were promised."""

    kind: Literal["late-arrival"]
    appointment: str
    arrives: Clock


class NoShow(_Model):
    """A patient did not come (or called off today's visit)."""

    kind: Literal["no-show"]
    appointment: str


class Reaction(_Model):
    """An infusion reaction at `at`: the infusion pauses `pause_minutes`, then goes on at a reduced rate.

    `rate_factor` is the fraction of the rate at onset it goes on at; without it the label's rule for
    the treatment is used.
    """

    kind: Literal["reaction"]
    appointment: str
    at: Clock
    pause_minutes: int = Field(ge=0)
    rate_factor: float | None = Field(default=None, gt=0, le=1)


class NurseLeaves(_Model):
    """A nurse leaves (or is called away for the rest of the day) at `at`."""

    kind: Literal["nurse-leaves"]
    nurse: str
    at: Clock


Event = Annotated[LateArrival | NoShow | Reaction | NurseLeaves, Field(discriminator="kind")]


class DayEvents(_Model):
    """The moment of the repair and the events to take into account, in the order they happened."""

    format: Literal["msinfusion.events/1"]
    now: Clock
    events: list[Event] = Field(min_length=1)

    def to_json(self, indent: int | None = 2) -> str:
        """Serialize to the interchange format."""
        return json.dumps(self.model_dump(mode="json", exclude_unset=True), indent=indent) + "\n"


def parse_events(data: str | bytes | dict[str, Any]) -> DayEvents:
    """Parse day events; raise :class:`DayProblem` naming the first bad field."""
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise DayProblem("(file)", f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(data, dict):
            raise DayProblem("(file)", "must be a JSON object")
    if "format" in data and data["format"] != EVENTS_FORMAT:
        raise DayProblem("format", f"must be {EVENTS_FORMAT!r}, got {data['format']!r}")
    try:
        return DayEvents.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc) from None
