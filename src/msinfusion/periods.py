"""Periods on the calendar: a number of days, weeks or calendar months after a date.

Calendar months keep the day of the month and clamp to the month's end (31 January + 1 month is
28 or 29 February), which is how labels count "every 6 months".
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta

from msinfusion.therapies.model import Period

__all__ = ["ONE_DAY", "add_period", "shifter"]


def add_period(day: date, period: Period) -> date:
    """``day`` plus a period; calendar months keep the day of month, clamped to the month's end."""
    if period.unit == "days":
        return day + timedelta(days=period.amount)
    if period.unit == "weeks":
        return day + timedelta(weeks=period.amount)
    month_index = day.month - 1 + period.amount
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


ONE_DAY = timedelta(days=1)


def shifter(period: Period) -> Callable[[date], date]:
    """A function adding ``period``; days and weeks become one timedelta (the calendar hot path)."""
    if period.unit == "months":
        return lambda day: add_period(day, period)
    delta = timedelta(days=period.amount * (7 if period.unit == "weeks" else 1))
    return lambda day: day + delta
