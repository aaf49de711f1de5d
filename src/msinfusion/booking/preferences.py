"""Patient preferences as the booker reads them: the weekdays and dates they can come, morning or afternoon."""

from __future__ import annotations

import datetime as dt

from msinfusion.booking.ledger import NOON
from msinfusion.booking.request import WEEKDAY_KEYS, Preferences

DAY_NAMES = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


def day_suits(preferences: Preferences | None, date: dt.date) -> bool:
    """Whether ``date`` is one of the patient's weekdays and not a date they cannot come."""
    if preferences is None:
        return True
    if preferences.weekdays and WEEKDAY_KEYS[date.weekday()] not in preferences.weekdays:
        return False
    return date not in preferences.unavailable


def time_suits(preferences: Preferences | None, start: int) -> bool:
    """Whether a start (clock minutes) is in the patient's preferred half of the day."""
    if preferences is None or preferences.time is None:
        return True
    return (start < NOON) == (preferences.time == "morning")
