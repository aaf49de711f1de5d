"""Add-on: place a same-day visit on a running day without moving anyone already promised.

The add-on goes as close after the start it wants (its preferred start, else its earliest, never
before `now`) as the day allows, with every seated patient where they are and every other patient's
promised start kept (within `max_shift` minutes, default 0; a center may allow small moves). Chairs
and nurses of visits not yet started may be swapped, which no patient notices. When it does not fit,
the result says why and offers the best alternatives, each with exactly what would have to give:

* **later today**, past the add-on's own latest end, when it has one;
* **with moves**: at the start it wants, moving as few promised starts (and chairs) as possible, or
  as a last resort taking someone off the day;
* **tomorrow**, when the next day and its schedule are given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from msinfusion.i18n import N_, Message, MessageText
from msinfusion.scheduling.changes import Change, schedule_changes
from msinfusion.scheduling.clock import Clock, format_clock
from msinfusion.scheduling.day import Appointment, Day, with_catalog_phases
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Occupancy, Placement, to_assignment
from msinfusion.scheduling.problems import DayProblem
from msinfusion.scheduling.promises import Replan, replan
from msinfusion.scheduling.schedule import Assignment, Schedule, SolverInfo
from msinfusion.scheduling.validation import InvalidSchedule, check_schedule, compute_objective, replan_violations

__all__ = ["AddOn", "Alternative", "add_on"]

MAX_SHIFT_DEFAULT = 0
"""Minutes another patient's promised start may move for an add-on, unless the caller allows more."""
OVERHEAD = 0.15
"""Seconds a re-plan takes beyond its search on a 100-visit day (model build, seating, validation)."""
MIN_SEARCH = 0.05
"""Seconds of search below which an alternative is not tried (the add-on answers within its limit)."""
NEIGHBOURHOOD = 60
"""Visits within this many minutes of the add-on's wanted stay are the ones a 'with moves' alternative
may move (a small neighbourhood keeps the search well under a second on a 100-visit day)."""


class Alternative(BaseModel):
    """Another way to see the add-on patient: where, when, and what would have to give for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["later-today", "with-moves", "tomorrow"]
    date: str
    start: Clock
    chair: str
    changes: list[Change]
    note: MessageText


@dataclass(frozen=True)
class AddOn:
    """The outcome: placed today (`fits`) with the new schedule, or why not, and the alternatives."""

    fits: bool
    schedule: Schedule
    placement: Assignment | None
    changes: list[Change]
    reason: str | None
    alternatives: list[Alternative] = field(default_factory=list)
    seconds: float = 0.0


def _with_visit(day: Day, visit: Appointment) -> Day:
    if any(a.id == visit.id for a in day.appointments):
        raise DayProblem("appointment.id", f"{visit.id!r} is already on the day")
    return with_catalog_phases(day.model_copy(update={"appointments": [*day.appointments, visit]}))


def _placed(result: Replan, identifier: str) -> Assignment | None:
    if result.schedule is None:
        return None
    return next((a for a in result.schedule.assignments if a.appointment == identifier), None)


def _others(result: Replan, identifier: str) -> list[Change]:
    return [c for c in result.changes if c.appointment != identifier]


def add_on(
    day: Day,
    current: Schedule,
    visit: Appointment,
    now: int,
    *,
    max_shift: int = MAX_SHIFT_DEFAULT,
    next_day: tuple[Day, Schedule] | None = None,
    time_limit: float = 0.75,
    seed: int = 0,
    workers: int = 2,
) -> AddOn:
    """Place `visit` on the running `day` (schedule `current`) at `now`; see the module docstring."""
    started = time.monotonic()
    requested = visit
    extended = _with_visit(day, visit)
    wanted = max(now, visit.preferred_start or 0, visit.earliest_start or 0)
    # An add-on patient cannot be there before the time they asked for.
    visit = extended.appointments[-1].model_copy(update={"earliest_start": wanted})
    extended = extended.model_copy(update={"appointments": [*extended.appointments[:-1], visit]})
    share = time_limit / 3
    quick = first_fit(extended, current, visit.id, wanted)
    if quick is not None and quick.start == wanted:
        # At the start it wants with everyone exactly where they are: nothing to search for.
        return _as_is(extended, current, quick, now, started)
    if quick is not None:
        # Nothing earlier than the first fit with everyone where they are needs searching for.
        limited = visit.model_copy(update={"latest_end": quick.end})
        extended = extended.model_copy(update={"appointments": [*extended.appointments[:-1], limited]})
    first = replan(
        extended,
        current,
        now,
        max_shift=max_shift,
        wanted={visit.id: wanted},
        hint=None if quick is None else {visit.id: quick},
        time_limit=share,
        seed=seed,
        workers=workers,
    )
    placed = _placed(first, visit.id)
    alternatives: list[Alternative] = []
    date = day.center.date.isoformat()
    deadline = started + time_limit

    def left() -> float:
        # Building and checking a re-plan takes about OVERHEAD on a 100-visit day, beyond its search.
        return min(share, deadline - time.monotonic() - OVERHEAD)

    if placed is not None and first.schedule is not None:
        if placed.start > wanted and left() > MIN_SEARCH:
            alternatives += _with_moves(extended, current, visit, now, wanted, max_shift, date, left(), seed, workers)
        return AddOn(True, first.schedule, placed, first.changes, None, alternatives, time.monotonic() - started)
    reason = _reason(first, visit.id)
    if visit.latest_end is not None and visit.latest_end < day.center.closes and left() > MIN_SEARCH:
        later = extended.model_copy(
            update={"appointments": [*extended.appointments[:-1], visit.model_copy(update={"latest_end": None})]}
        )
        result = replan(later, current, now, max_shift=max_shift, time_limit=left(), seed=seed, workers=workers)
        found = _placed(result, visit.id)
        if found is not None:
            alternatives.append(
                Alternative(
                    kind="later-today",
                    date=date,
                    start=found.start,
                    chair=found.chair,
                    changes=_others(result, visit.id),
                    note=Message(
                        N_("ends {end}, after its latest end {latest}"),
                        end=format_clock(found.end),
                        latest=format_clock(visit.latest_end),
                    ),
                )
            )
    if left() > MIN_SEARCH:
        alternatives += _with_moves(extended, current, visit, now, wanted, max_shift, date, left(), seed, workers)
    if next_day is not None:
        alternatives += _tomorrow(next_day, requested, max(MIN_SEARCH, left()), seed, workers)
    return AddOn(False, current, None, [], reason, alternatives, time.monotonic() - started)


def _as_is(day: Day, current: Schedule, placed: Assignment, now: int, started: float) -> AddOn:
    """The schedule in force plus the add-on, checked like every other result."""
    assignments = [*current.assignments, placed]
    schedule = current.model_copy(
        update={
            "assignments": assignments,
            "objective": compute_objective(day, assignments),
            "bound": None,
            "solver": SolverInfo(name="add-on", status="heuristic", seconds=round(time.monotonic() - started, 2)),
        }
    )
    check_schedule(day, schedule)
    violations = replan_violations(current, schedule, now, max_shift=0)
    if violations:
        raise InvalidSchedule(violations)
    return AddOn(True, schedule, placed, schedule_changes(current, schedule), None, [], time.monotonic() - started)


def first_fit(day: Day, current: Schedule, identifier: str, wanted: int) -> Assignment | None:
    """The first start from `wanted` where the visit fits with everyone else exactly where they are."""
    instance = Instance(day)
    occupancy = Occupancy(instance)
    for a in current.assignments:
        j = next(job.index for job in instance.jobs if job.id == a.appointment)
        start = (a.start - instance.origin) // instance.unit
        occupancy.place(Placement(j, start, a.chair, tuple(task.nurse for task in a.nurse_tasks)))
    job = next(job for job in instance.jobs if job.id == identifier)
    lowest = max(job.lo, -(-(wanted - instance.origin) // instance.unit))
    for start in range(lowest, job.hi + 1):
        found = occupancy.try_place(job, start)
        if isinstance(found, Placement):
            return to_assignment(instance, found)
    return None


def _reason(result: Replan, identifier: str) -> str:
    if result.schedule is None:
        return Message(N_("the day as promised leaves no room"))
    otherwise = Message(N_("it does not fit today"))
    return next((u.reason for u in result.schedule.unscheduled if u.appointment == identifier), otherwise)


def _with_moves(
    day: Day,
    current: Schedule,
    visit: Appointment,
    now: int,
    wanted: int,
    max_shift: int,
    date: str,
    seconds: float,
    seed: int,
    workers: int,
) -> list[Alternative]:
    """The add-on at the start it wants, moving as few promised starts as possible (or dropping someone)."""
    pinned = day.model_copy(
        update={
            "appointments": [
                *day.appointments[:-1],
                visit.model_copy(
                    update={"earliest_start": wanted, "preferred_start": wanted, "latest_end": wanted + visit.minutes}
                ),
            ]
        }
    )
    end = wanted + visit.minutes
    near = [
        a.appointment
        for a in current.assignments
        if a.start >= now and a.start < end + NEIGHBOURHOOD and a.end > wanted - NEIGHBOURHOOD
    ]
    for keep_all in (True, False):
        result = replan(
            pinned,
            current,
            now,
            max_shift=max_shift,
            movable=near,
            keep_all=keep_all,
            required={visit.id},
            time_limit=seconds,
            seed=seed,
            workers=workers,
        )
        found = _placed(result, visit.id)
        if found is None:
            continue
        others = _others(result, visit.id)
        moved = [c for c in others if c.start_moved]
        gone = [c.appointment for c in others if c.new_start is None]
        note = Message(N_("{count} promised start(s) change"), count=len(moved) - len(gone))
        if gone:
            note = Message(
                N_("{count} promised start(s) change; {visits} would have to go to another day"),
                count=len(moved) - len(gone),
                visits=", ".join(gone),
            )
        return [
            Alternative(kind="with-moves", date=date, start=found.start, chair=found.chair, changes=others, note=note)
        ]
    return []


def _tomorrow(
    next_day: tuple[Day, Schedule], visit: Appointment, seconds: float, seed: int, workers: int
) -> list[Alternative]:
    day, schedule = next_day
    extended = _with_visit(day, visit)
    result = replan(extended, schedule, day.center.opens, time_limit=seconds, seed=seed, workers=workers)
    found = _placed(result, visit.id)
    if found is None:
        return []
    return [
        Alternative(
            kind="tomorrow",
            date=day.center.date.isoformat(),
            start=found.start,
            chair=found.chair,
            changes=_others(result, visit.id),
            note=Message(N_("no promised start changes")),
        )
    ]
