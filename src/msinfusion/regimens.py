"""Dose calendars: from a therapy, a start date and the doses already given, every dose until an end date.

The rules come from the therapy data files (each with its source); this module only applies them:
initial doses at offsets from dose 1, maintenance every N weeks or calendar months counted from the
right anchor, consecutive-day courses, the missed/late-dose rule, minimum intervals, cumulative caps
and the center's booking window per dose.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from msinfusion.doses import DoseCalendar, DoseStatus, PlannedDose, RegimenError, Window
from msinfusion.i18n import N_, Message
from msinfusion.lifetime_caps import apply_cap, check_prior, initiation_rule, with_given_amounts
from msinfusion.periods import ONE_DAY, add_period, shifter
from msinfusion.therapies.model import Courses, Series, Status, Therapy

__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "DoseCalendar",
    "DoseStatus",
    "PlannedDose",
    "RegimenError",
    "Window",
    "dose_calendar",
]

DEFAULT_HORIZON_DAYS = 730
"""Without an end date a calendar covers two years from the start."""


@dataclass(frozen=True, slots=True)
class _Options:
    bsa: float | None
    jurisdiction: str
    amount: float | None
    option: str | None
    as_of: date | None
    requested: Mapping[int, date]


def dose_calendar(
    therapy: Therapy,
    start: date,
    until: date | None = None,
    given: Sequence[date] = (),
    *,
    bsa: float | None = None,
    course_days: int | None = None,
    jurisdiction: str = "US",
    prior_cumulative_per_m2: float = 0.0,
    amount: float | None = None,
    option: str | None = None,
    as_of: date | None = None,
    requested: Mapping[int, date] | None = None,
    given_mg: Sequence[float | None] = (),
    clinician_reason: str | None = None,
) -> DoseCalendar:
    """The dose calendar of ``therapy`` from ``start`` to ``until``.

    ``given`` lists the dates already administered, in order; later doses are computed from them.
    ``as_of`` (today) moves planned doses that are already overdue to that day ("as soon as
    possible"). ``requested`` maps dose numbers to dates a scheduler asks for; a requested date that
    breaks a minimum interval or its window gives a warning, not an error.

    ``given_mg`` holds the amounts actually given (in mg, parallel to ``given``; None where unknown):
    a lifetime cap counts them instead of the planned amount. ``prior_cumulative_per_m2`` is the
    exposure before this prescription. ``clinician_reason`` records a clinician's decision to go on
    where a label rule refuses (the EU rule against starting mitoxantrone after earlier treatment).
    """
    end = until if until is not None else start + timedelta(days=DEFAULT_HORIZON_DAYS)
    if end < start:
        raise RegimenError(f"end date {end.isoformat()} is before the start {start.isoformat()}")
    given = list(given)
    if given and given[0] < start:
        raise RegimenError(f"given date {given[0].isoformat()} is before the start {start.isoformat()}")
    for earlier, later in itertools.pairwise(given):
        if later <= earlier:
            raise RegimenError(f"given dates must be in order: {later.isoformat()} follows {earlier.isoformat()}")
    if therapy.dose_unit == "mg/m2" and (bsa is None or not 0.5 <= bsa <= 3.5):
        raise RegimenError(f"{therapy.id} is dosed per m2: give the body surface area with --bsa (0.5-3.5)")
    if amount is not None:
        fixed = [s for s in therapy.dosing if s.amount.status not in (Status.PRACTICE, Status.UNCONFIRMED)]
        if fixed:
            raise RegimenError(f"{therapy.id}: the dose amount comes from the label and cannot be changed")
    if option is not None and not any(option in s.options for s in therapy.dosing):
        choices = sorted({o for s in therapy.dosing for o in s.options}) or ["none"]
        raise RegimenError(f"{therapy.id} has no infusion option {option!r}; options: {', '.join(choices)}")
    check_prior(therapy, jurisdiction, prior_cumulative_per_m2)
    if len(given_mg) > len(given):
        raise RegimenError(f"{len(given_mg)} given amounts for {len(given)} given dates")
    for mg in given_mg:
        if mg is not None and not (math.isfinite(mg) and mg > 0):
            raise RegimenError(f"a given amount must be more than 0 mg, not {mg}")
    opts = _Options(bsa, jurisdiction, amount, option, as_of, requested or {})
    if isinstance(therapy.regimen, Series):
        if course_days is not None:
            raise RegimenError(f"{therapy.id} is not given in consecutive-day courses; drop --course-days")
        doses, warnings = _series(therapy, therapy.regimen, start, end, given, opts)
    else:
        doses, warnings = _courses(therapy, therapy.regimen, start, end, given, course_days, opts)
    doses = with_given_amounts(therapy, doses, given_mg, bsa)
    cumulative = None
    if therapy.cumulative_cap is not None:
        warnings += initiation_rule(therapy, jurisdiction, prior_cumulative_per_m2, clinician_reason)
        doses, cap_warnings, cumulative = apply_cap(therapy, doses, jurisdiction, prior_cumulative_per_m2)
        warnings += cap_warnings
    return DoseCalendar(therapy, start, end, doses, warnings, cumulative)


def _dose(
    therapy: Therapy,
    number: int,
    day: date,
    target: date,
    status: DoseStatus,
    window: Window,
    opts: _Options,
    notes: list[str],
    course: int | None = None,
    course_day: int | None = None,
    earliest: date | None = None,
) -> PlannedDose:
    step = therapy.dose_step(number)
    amount = opts.amount if opts.amount is not None else step.amount.value
    infusion = step.infusion
    treatment = step.treatment
    if opts.option is not None and opts.option in step.options:
        infusion = opts.option
        treatment = f"{step.treatment}-{opts.option}"
    if therapy.dose_unit == "mg/m2":
        assert opts.bsa is not None
        dose_mg: float | None = round(amount * opts.bsa, 1)
    else:
        dose_mg = amount
    return PlannedDose(
        number,
        day,
        target,
        status,
        dose_mg,
        amount,
        therapy.dose_unit,
        treatment,
        infusion,
        window,
        course,
        course_day,
        tuple(notes),
        earliest,
    )


def _place(
    number: int,
    target: date,
    window: Window,
    given: Sequence[date],
    opts: _Options,
    earliest: date | None,
    notes: list[str],
    warnings: list[str],
    min_text: str,
) -> tuple[date, DoseStatus, bool, Window]:
    """The date of dose ``number``: given, requested or planned. Returns (date, status, late, window).

    A planned dose never lies in the past of ``as_of``: an overdue dose moves to that day ("as soon
    as possible"), and the window it may be booked in starts no earlier than that day.
    """
    if number <= len(given):
        day = given[number - 1]
        if earliest is not None and day < earliest:
            warnings.append(
                Message(
                    N_("dose {number} on {day} breaks the minimum interval ({interval})"),
                    number=number,
                    day=day.isoformat(),
                    interval=min_text,
                )
            )
        late = day > window.end
        if late:
            notes.append(Message(N_("given {days} days after its window"), days=(day - window.end).days))
        elif day < window.start:
            notes.append(
                Message(
                    N_("given {days} days before its window; what follows counts from it"),
                    days=(window.start - day).days,
                )
            )
        return day, "given", late, window
    if number in opts.requested:
        day = opts.requested[number]
        if opts.as_of is not None and window.start < opts.as_of <= window.end:
            window = Window(opts.as_of, window.end)  # the same window as the dose had before it was requested
        if earliest is not None and day < earliest:
            warnings.append(
                Message(
                    N_("requested date {day} for dose {number} breaks the minimum interval ({interval})"),
                    day=day.isoformat(),
                    number=number,
                    interval=min_text,
                )
            )
        if day not in window:
            warnings.append(
                Message(
                    N_("requested date {day} for dose {number} is outside its window {first} to {last}"),
                    day=day.isoformat(),
                    number=number,
                    first=window.start.isoformat(),
                    last=window.end.isoformat(),
                )
            )
        return day, "planned", day > window.end, window
    today = opts.as_of
    if today is not None and window.end < today:
        notes.append(Message(N_("missed: give as soon as possible")))
        return today, "planned", True, Window(today, today + (window.end - window.start))
    if today is not None and window.start < today:
        window = Window(today, window.end)
    if target < window.start:
        if today is not None and window.start == today and (earliest is None or today > earliest):
            notes.append(Message(N_("its date has passed: give it by the end of its window")))
        else:
            notes.append(
                Message(
                    N_("moved to {date} to keep the minimum interval ({interval})"),
                    date=window.start.isoformat(),
                    interval=min_text,
                )
            )
        return window.start, "planned", False, window
    return target, "planned", False, window


def _series(
    therapy: Therapy, regimen: Series, start: date, end: date, given: Sequence[date], opts: _Options
) -> tuple[list[PlannedDose], list[str]]:
    doses: list[PlannedDose] = []
    warnings: list[str] = []
    initial = [shifter(f.value) for f in regimen.initial]
    n_initial = len(initial)
    maintenance = regimen.maintenance
    every = shifter(maintenance.every.value) if maintenance else None
    cycle = maintenance is not None and maintenance.cycle
    anchor = maintenance.anchor_dose.value - 1 if maintenance else 0
    missed = therapy.missed_dose
    resets = missed is not None and missed.rule == "reset-from-late-dose"
    min_interval = therapy.min_interval.value if therapy.min_interval else None
    min_shift = shifter(min_interval) if min_interval else None
    min_text = str(min_interval) if min_interval else ""
    initial_min = regimen.initial_min_interval.value if regimen.initial_min_interval else None
    initial_min_shift = shifter(initial_min) if initial_min else None
    initial_min_text = str(initial_min) if initial_min else ""
    n_given = len(given)
    requested = opts.requested
    windows: dict[int, tuple[timedelta, timedelta]] = {}
    dates: list[date] = []
    late_anchor: date | None = None
    cycle_start = 0  # index (0-based) of the first dose of the current cycle
    number = 0
    while True:
        number += 1
        index = number - 1
        starts_occurrence = False
        if index == 0:
            target = start
        elif index < n_initial:
            target = initial[index](dates[0])
        elif every is None:
            break
        else:
            position = (index - cycle_start) if cycle else n_initial
            if cycle and position < n_initial:
                target = initial[position](dates[cycle_start])
            else:
                starts_occurrence = True
                if cycle:
                    base = dates[cycle_start]
                    cycle_start = index
                elif index == n_initial:
                    base = dates[anchor]
                else:
                    base = dates[-1]
                if resets and late_anchor is not None:
                    base = late_anchor
                target = every(base)
            late_anchor = None if starts_occurrence else late_anchor
        if number > n_given and target > end and number not in requested:
            break
        policy = therapy.booking_window(number)
        key = id(policy)
        if key not in windows:
            windows[key] = (timedelta(days=policy.before_days), timedelta(days=policy.after_days))
        before, after = windows[key]
        earliest = min_shift(dates[-1]) if starts_occurrence and min_shift is not None else None
        gap_text = min_text
        if not starts_occurrence and dates and initial_min_shift is not None:
            # rituximab (RA reference, rituximab:S4): the two infusions are not closer than 2 weeks
            earliest, gap_text = initial_min_shift(dates[-1]), initial_min_text
        low = target - before
        if dates and low <= dates[-1]:
            low = dates[-1] + ONE_DAY
        if earliest is not None and low < earliest:
            low = earliest
        high = target + after
        window = Window(low, high if high > low else low)
        notes: list[str] = []
        day, status, late, window = _place(number, target, window, given, opts, earliest, notes, warnings, gap_text)
        if day > end and status == "planned":
            break
        if late and resets and missed is not None:
            late_anchor = day
            notes.append(Message(N_("next dose counted from this late dose ({source})"), source=missed.source[0]))
        dates.append(day)
        doses.append(_dose(therapy, number, day, target, status, window, opts, notes, earliest=earliest))
    if len(given) > len(doses):
        warnings.append(
            Message(N_("{count} given dates are past the end of the calendar"), count=len(given) - len(doses))
        )
    return doses, warnings


def _courses(
    therapy: Therapy,
    regimen: Courses,
    start: date,
    end: date,
    given: Sequence[date],
    course_days: int | None,
    opts: _Options,
) -> tuple[list[PlannedDose], list[str]]:
    doses: list[PlannedDose] = []
    warnings: list[str] = []
    lengths = [c.days.value for c in regimen.planned]
    if course_days is not None:
        first = regimen.planned[0]
        if first.day_range is None:
            raise RegimenError(f"{therapy.id} courses have fixed lengths from the label; drop --course-days")
        shortest, longest = first.day_range
        if not shortest <= course_days <= longest:
            raise RegimenError(f"--course-days for {therapy.id} must be {shortest} to {longest}")
        lengths[0] = course_days
    number = 0
    course_starts: list[date] = []
    last: date | None = None
    for course_index, course in enumerate(regimen.planned):
        for day_index in range(lengths[course_index]):
            number += 1
            course_day = day_index + 1
            if course_day == 1:
                if course_index == 0:
                    target = start
                else:
                    assert course.after is not None and last is not None
                    base = course_starts[0] if course.after_from == "course-start" else last
                    target = add_period(base, course.after.value)
            else:
                assert last is not None
                target = last + timedelta(days=1)
            policy = therapy.booking_window(course_day)
            low = target - timedelta(days=policy.before_days)
            if last is not None:
                low = max(low, last + timedelta(days=1))
            window = Window(low, max(low, target + timedelta(days=policy.after_days)))
            if number > len(given) and target > end and number not in opts.requested:
                return doses, warnings
            notes: list[str] = []
            day, status, late, window = _place(number, target, window, given, opts, None, notes, warnings, "")
            if status == "planned" and day > end:
                return doses, warnings
            if late and course_day > 1 and therapy.missed_dose is not None:
                notes.append(Message(N_("a missed day moves the rest of the course; never two doses on one day")))
            if course_day == 1:
                course_starts.append(day)
            last = day
            doses.append(_dose(therapy, number, day, target, status, window, opts, notes, course_index + 1, course_day))
    if len(given) > len(doses):
        warnings.append(Message(N_("{count} given dates are past the planned courses"), count=len(given) - len(doses)))
    if regimen.further is not None and last is not None and regimen.further.after is not None:
        earliest = add_period(last, regimen.further.after.value)
        warnings.append(
            Message(
                N_("further {days}-day courses only if needed, not before {earliest} ({after} after the last dose)"),
                days=regimen.further.days.value,
                earliest=earliest.isoformat(),
                after=regimen.further.after.value,
            )
        )
    return doses, warnings
