"""Periods on the calendar: days and weeks add exactly, calendar months keep or clamp the day."""

from __future__ import annotations

from datetime import date

from msinfusion.periods import add_period, shifter
from msinfusion.therapies import Period


def test_adding_months_keeps_the_day_or_clamps_to_the_month_end() -> None:
    assert add_period(date(2027, 1, 31), Period(amount=1, unit="months")) == date(2027, 2, 28)
    assert add_period(date(2027, 8, 31), Period(amount=6, unit="months")) == date(2028, 2, 29)
    assert add_period(date(2027, 1, 4), Period(amount=24, unit="weeks")) == date(2027, 6, 21)


def test_a_shifter_adds_the_same_period_as_add_period() -> None:
    for period in (Period(amount=3, unit="days"), Period(amount=4, unit="weeks"), Period(amount=6, unit="months")):
        assert shifter(period)(date(2027, 8, 31)) == add_period(date(2027, 8, 31), period)
