"""Why a dose record is refused: the kinds of problem, and the checks of a record's date against the patient's
calendar (its window, the minimum interval, the course sequence). :mod:`msinfusion.dose_records` runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from msinfusion.i18n import N_, Message
from msinfusion.periods import add_period
from msinfusion.regimens import RegimenError, dose_calendar
from msinfusion.therapies.model import Courses, Fact, Period, Series, Therapy

__all__ = ["DoseProblem", "ProblemKind", "RecordedDose", "date_problems"]


class ProblemKind(StrEnum):
    """What is wrong with a dose record."""

    FUTURE = "future"
    BEFORE_START = "before-start"
    OUT_OF_ORDER = "out-of-order"
    STEP = "step"
    BEFORE_WINDOW = "before-window"
    MIN_INTERVAL = "min-interval"
    COURSE_SEQUENCE = "course-sequence"
    AMOUNT = "amount"
    CUMULATIVE_CAP = "cumulative-cap"
    PRIOR_TREATMENT = "prior-treatment"
    MISSING_CHECK = "missing-check"
    AFTER_SERIOUS_REACTION = "after-serious-reaction"


@dataclass(frozen=True, slots=True)
class RecordedDose:
    """A dose already on the record: the day it was given and, when known, the amount in mg."""

    date: date
    amount_mg: float | None = None


@dataclass(frozen=True, slots=True)
class DoseProblem:
    """One reason a record is refused unless a clinician confirms it."""

    kind: ProblemKind
    field: Literal["date", "amount_mg", "number", "checks"]
    message: str
    sources: tuple[str, ...] = ()


def date_problems(
    therapy: Therapy, start: date, given: Sequence[RecordedDose], day: date, number: int, bsa: float | None
) -> list[DoseProblem]:
    dates = [g.date for g in given]
    until = max(day, start) + timedelta(days=800)
    try:
        calendar = dose_calendar(therapy, start, until, dates, bsa=bsa or 1.0)
    except RegimenError as exc:
        return [DoseProblem(ProblemKind.OUT_OF_ORDER, "date", str(exc))]
    dose = next((d for d in calendar.doses if d.number == number), None)
    if dose is None:
        return _beyond_plan(therapy, dates, day, number)
    window = dose.window
    if day >= window.start:
        return []
    interval = _interval_for(therapy, dates, dose.earliest)
    if dose.earliest is not None and day < dose.earliest and interval is not None:
        return [
            DoseProblem(
                ProblemKind.MIN_INTERVAL,
                "date",
                Message(
                    N_("dose {number} on {date} is before {earliest}: doses are at least {interval} apart ({status})"),
                    number=number,
                    date=day.isoformat(),
                    earliest=dose.earliest.isoformat(),
                    interval=str(interval.value),
                    status=interval.status,
                ),
                tuple(interval.source),
            )
        ]
    if isinstance(therapy.regimen, Courses) and dose.course is not None and dose.course > 1 and dose.course_day == 1:
        course = therapy.regimen.planned[dose.course - 1]
        after = course.after
        sources = tuple(after.source) if after else ()
        return [
            DoseProblem(
                ProblemKind.COURSE_SEQUENCE,
                "date",
                Message(
                    N_(
                        "{date} would start course {course}, which is not before {start} ({after} "
                        "after course {previous})"
                    )
                    if after
                    else N_("{date} would start course {course}, which is not before {start}"),
                    date=day.isoformat(),
                    course=dose.course,
                    start=window.start.isoformat(),
                    **({"after": str(after.value), "previous": dose.course - 1} if after else {}),
                ),
                sources,
            )
        ]
    return [
        DoseProblem(
            ProblemKind.BEFORE_WINDOW,
            "date",
            Message(
                N_("dose {number} on {date} is before its window ({start} to {end}; target {target})"),
                number=number,
                date=day.isoformat(),
                start=window.start.isoformat(),
                end=window.end.isoformat(),
                target=dose.target.isoformat(),
            ),
            _window_sources(therapy, number),
        )
    ]


def _interval_for(therapy: Therapy, dates: Sequence[date], earliest: date | None) -> Fact[Period] | None:
    """The minimum-interval rule that set ``earliest``: between initial doses, or between doses."""
    regimen = therapy.regimen
    if earliest is None or not dates:
        return None
    gap = regimen.initial_min_interval if isinstance(regimen, Series) else None
    if gap is not None and add_period(dates[-1], gap.value) == earliest:
        return gap
    return therapy.min_interval


def _window_sources(therapy: Therapy, number: int) -> tuple[str, ...]:
    """The sources of the rule that sets dose ``number``'s target date."""
    regimen = therapy.regimen
    if isinstance(regimen, Courses):
        return ()
    if number <= len(regimen.initial):
        return tuple(regimen.initial[number - 1].source)
    return tuple(regimen.maintenance.every.source) if regimen.maintenance else ()


def _beyond_plan(therapy: Therapy, dates: Sequence[date], day: date, number: int) -> list[DoseProblem]:
    regimen = therapy.regimen
    if isinstance(regimen, Courses) and regimen.further is not None and regimen.further.after is not None and dates:
        earliest = add_period(dates[-1], regimen.further.after.value)
        planned_days = sum(c.days.value for c in regimen.planned)
        first_of_further = (number - planned_days - 1) % regimen.further.days.value == 0
        if first_of_further and day < earliest:
            return [
                DoseProblem(
                    ProblemKind.COURSE_SEQUENCE,
                    "date",
                    Message(
                        N_("a further course starts no earlier than {earliest} ({after} after the last dose)"),
                        earliest=earliest.isoformat(),
                        after=str(regimen.further.after.value),
                    ),
                    tuple(regimen.further.after.source),
                )
            ]
        return []
    return [
        DoseProblem(
            ProblemKind.STEP,
            "number",
            Message(N_("dose {number} is past the end of the planned regimen"), number=number),
        )
    ]
