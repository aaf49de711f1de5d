"""Sourced facts in the patient's words: periods ('3 months', '3 meses'), numbers, and check dates from them."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from babel.numbers import format_decimal

from msinfusion.i18n import Translator
from msinfusion.periods import add_period
from msinfusion.therapies import Period
from msinfusion.therapies.model import CheckSchedule, PatientTask


def period_text(period: Period, t: Translator) -> str:
    """'1 day', '2 weeks', '48 months' in the patient's language."""
    n = period.amount
    if period.unit == "days":
        return t.ngettext("{n} day", "{n} days", n).format(n=n)
    if period.unit == "weeks":
        return t.ngettext("{n} week", "{n} weeks", n).format(n=n)
    return t.ngettext("{n} month", "{n} months", n).format(n=n)


def every_text(period: Period, t: Translator) -> str:
    """'every month', 'every 3 months' (a period worded as a repeat) in the patient's language."""
    _ = t.gettext
    n = period.amount
    if n == 1:
        return {"days": _("every day"), "weeks": _("every week"), "months": _("every month")}[period.unit]
    many = {"days": _("every {n} days"), "weeks": _("every {n} weeks"), "months": _("every {n} months")}
    return many[period.unit].format(n=n)


@dataclass(frozen=True)
class PeriodWords:
    """A period for ``str.format``: ``{key}`` gives '3 months', ``{key:every}`` gives 'every 3 months'."""

    period: Period
    t: Translator

    def __format__(self, spec: str) -> str:
        return every_text(self.period, self.t) if spec == "every" else period_text(self.period, self.t)


def number_text(number: int, t: Translator) -> str:
    """A number with the locale's digit grouping."""
    return format_decimal(number, locale=t.locale)


def check_dates(schedule: CheckSchedule, task: PatientTask, first_dose: datetime.date) -> Iterator[datetime.date]:
    """The dates of a repeated check, in order: each ``at`` period from dose 1, then every ``every`` after the last."""
    anchor = first_dose
    for key in schedule.at:
        anchor = add_period(first_dose, task.periods[key].value)
        yield anchor
    if schedule.every is None or task.periods[schedule.every].value.amount == 0:
        return
    every = task.periods[schedule.every].value
    step = 1
    while True:
        yield add_period(anchor, Period(amount=every.amount * step, unit=every.unit))
        step += 1


def next_check(task: PatientTask, first_dose: datetime.date, day: datetime.date) -> datetime.date | None:
    """The first date of the task's check schedule on or after ``day``; ``None`` without a schedule."""
    if task.schedule is None:
        return None
    for date in check_dates(task.schedule, task, first_dose):
        if date >= day:
            return date
    return None
