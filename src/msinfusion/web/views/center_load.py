"""The center's months at a glance as page data: a month grid per month, each day with its load level."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from msinfusion.db.center_load import CenterLoad, DayLoad

LEVELS = (0.25, 0.5, 0.75, 0.9)
"""Upper bounds of the heat levels 0-3 as a share of the bookable chair-minutes; level 4 is above 90 %."""


def level(day: DayLoad) -> str:
    """The heat level of a day: ``closed``, or 0 (quiet) to 4 (at or over 90 % of its bookable minutes)."""
    if day.capacity == 0:
        return "closed"
    return str(next((i for i, bound in enumerate(LEVELS) if day.share < bound), len(LEVELS)))


def hours(minutes: int) -> str:
    """Chair-minutes as hours with one decimal ('12.5')."""
    return f"{minutes / 60:.1f}"


@dataclass(frozen=True)
class Month:
    """One month as weeks of seven cells (None outside the month)."""

    title: str
    weeks: list[list[DayLoad | None]]


def months(load: CenterLoad) -> list[Month]:
    """The load's days laid out as month grids, Monday first."""
    by_day = {d.day: d for d in load.days}
    found: list[Month] = []
    seen: set[tuple[int, int]] = set()
    for d in load.days:
        key = (d.day.year, d.day.month)
        if key in seen:
            continue
        seen.add(key)
        grid = calendar.Calendar(firstweekday=0).monthdatescalendar(*key)
        weeks = [[by_day.get(day) if day.month == key[1] else None for day in week] for week in grid]
        found.append(Month(dt.date(*key, 1).strftime("%B %Y"), weeks))
    return found
