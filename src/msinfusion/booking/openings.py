"""When the center is open: its week, its own closures and the public holidays of its country/subdivision."""

from __future__ import annotations

import datetime as dt

import holidays

from msinfusion.booking.request import WEEKDAY_KEYS, BookingCenter, OpenDay
from msinfusion.i18n import N_, Message

__all__ = ["OpenDays"]

_WEEKDAY_NAMES = (
    N_("Mondays"),
    N_("Tuesdays"),
    N_("Wednesdays"),
    N_("Thursdays"),
    N_("Fridays"),
    N_("Saturdays"),
    N_("Sundays"),
)


class OpenDays:
    """Open and closed dates of one center over a span of years, with the reason a date is closed."""

    def __init__(self, center: BookingCenter, first: dt.date, last: dt.date) -> None:
        self.center = center
        years = range(first.year - 1, last.year + 2)
        self.holidays: dict[dt.date, str] = dict(
            holidays.country_holidays(center.country, subdiv=center.subdivision, years=years).items()
        )
        self.closures = frozenset(center.closures)

    def hours(self, day: dt.date) -> OpenDay | None:
        """The day's hours and nurses, or ``None`` when the center is closed that day."""
        if day in self.closures or day in self.holidays:
            return None
        return self.center.week.on(day)

    def is_open(self, day: dt.date) -> bool:
        return self.hours(day) is not None

    def why_closed(self, day: dt.date) -> str | None:
        """'center closed (Independence Day, observed)', or ``None`` when the center is open."""
        if day in self.closures:
            return Message(N_("center closed (closure)"))
        name = self.holidays.get(day)
        if name is not None:
            return Message(N_("center closed ({holiday})"), holiday=name.replace(" (observed)", ", observed"))
        if self.center.week.on(day) is None:
            return Message(N_("center closed on {weekday}"), weekday=Message(_WEEKDAY_NAMES[day.weekday()]))
        return None

    @staticmethod
    def weekday_key(day: dt.date) -> str:
        return WEEKDAY_KEYS[day.weekday()]
