"""The output of regimen booking: months of bookings with a schedule per day (`msinfusion.bookings/1`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from msinfusion.booking.request import BookingProblem
from msinfusion.i18n import MessageText
from msinfusion.scheduling.clock import Clock
from msinfusion.scheduling.day import Day
from msinfusion.scheduling.problems import first_error
from msinfusion.scheduling.schedule import Schedule

__all__ = [
    "PLAN_FORMAT",
    "Booking",
    "BookingPlan",
    "ChairMinutes",
    "DateSpan",
    "DaySchedule",
    "Moves",
    "Summary",
    "Unbooked",
    "parse_plan",
]

PLAN_FORMAT = "msinfusion.bookings/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DateSpan(_Model):
    """A dose's window: the first and last date it may be given on."""

    start: dt.date
    end: dt.date


class Booking(_Model):
    """One dose booked: date, start and chair, and why it is not on its due date (when it is not)."""

    patient: str
    dose: int = Field(ge=1)
    treatment: str
    due: dt.date
    window: DateSpan
    date: dt.date
    start: Clock
    chair: str
    moved: MessageText | None = None

    @property
    def appointment(self) -> str:
        """The id of its visit in the day's schedule."""
        return f"{self.patient}/{self.dose}"


class Unbooked(_Model):
    """A dose due in the horizon that could not be booked, and what is full."""

    patient: str
    dose: int = Field(ge=1)
    due: dt.date
    window: DateSpan
    reason: MessageText


class DaySchedule(_Model):
    """One booked date: the day as the day scheduler sees it and its schedule."""

    date: dt.date
    day: Day
    schedule: Schedule


class ChairMinutes(_Model):
    max: int
    mean: float
    min: int


class Moves(_Model):
    """Bookings off their due date: how many, and by how many days on average (over those moved)."""

    count: int = Field(ge=0)
    mean_days: float = Field(ge=0)


class Summary(_Model):
    """Figures of the whole plan."""

    booked: int = Field(ge=0)
    unbooked: int = Field(ge=0)
    open_days: int = Field(ge=0)
    chair_minutes: ChairMinutes
    moved_from_due: Moves
    preferences_met: float = Field(ge=0, le=1)
    seconds: float = Field(ge=0)


class BookingPlan(_Model):
    """Every dose due in the horizon, booked or unbooked with a reason, and a schedule per booked date."""

    format: Literal["msinfusion.bookings/1"] = "msinfusion.bookings/1"
    center: str
    bookings: list[Booking]
    unbooked: list[Unbooked]
    days: list[DaySchedule]
    summary: Summary

    def to_json(self, indent: int | None = 2) -> str:
        """Serialize to the interchange format (a booking on its due date has no `moved`)."""
        data = self.model_dump(mode="json", exclude_unset=True)
        data["format"] = PLAN_FORMAT
        for booking in data["bookings"]:
            if booking.get("moved") is None:
                booking.pop("moved", None)
        return json.dumps(data, indent=indent) + "\n"


def parse_plan(data: str | bytes | dict[str, Any]) -> BookingPlan:
    """Parse a plan; raise :class:`BookingProblem` naming the first bad field."""
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise BookingProblem("(file)", f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    try:
        return BookingPlan.model_validate(data)
    except ValidationError as exc:
        problem = first_error(exc)
        raise BookingProblem(problem.field, problem.message) from None
