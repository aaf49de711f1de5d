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

from msinfusion.i18n import N_, Message
from msinfusion.scheduling.alternatives import (
    SOLVER_ROOM,
    Alternative,
    WithMoves,
    by_hand,
    other_changes,
    placed_visit,
    tomorrow,
    with_visit,
)
from msinfusion.scheduling.changes import Change
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.day import Appointment, Day
from msinfusion.scheduling.insertion import Running, earliest_insertion, running
from msinfusion.scheduling.placement import Occupancy
from msinfusion.scheduling.promises import Replan, replan
from msinfusion.scheduling.reasons import unscheduled_reason
from msinfusion.scheduling.schedule import Assignment, Schedule

__all__ = ["AddOn", "Alternative", "add_on"]

MAX_SHIFT_DEFAULT = 0
"""Minutes another patient's promised start may move for an add-on, unless the caller allows more."""


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
    """Place `visit` on the running `day` (schedule `current`) at `now`; see the module docstring.

    With every promised start kept (`max_shift` 0) the placement and the alternatives later today and
    tomorrow are found by hand (:mod:`msinfusion.scheduling.insertion`), as is a first way with moves
    (:mod:`msinfusion.scheduling.bumping`); CP-SAT only improves on that, and only while `time_limit`
    (the whole answer's, model building included) leaves room."""
    started = time.monotonic()
    deadline = started + time_limit
    requested = visit
    extended = with_visit(day, visit)
    wanted = max(now, visit.preferred_start or 0, visit.earliest_start or 0)
    # An add-on patient cannot be there before the time they asked for.
    visit = extended.appointments[-1].model_copy(update={"earliest_start": wanted})
    extended = extended.model_copy(update={"appointments": [*extended.appointments[:-1], visit]})
    date = day.center.date.isoformat()
    grid = running(extended, current, now)
    first = _placed_today(extended, current, visit, now, wanted, max_shift, grid, deadline, seed, workers)
    placed = placed_visit(first, visit.id)
    alternatives: list[Alternative] = []
    moves = WithMoves(extended, current, visit, now, wanted, max_shift, date, grid, deadline, seed, workers)
    if placed is not None and first.schedule is not None:
        if placed.start > wanted:
            alternatives += moves.offer()
        return AddOn(True, first.schedule, placed, first.changes, None, alternatives, time.monotonic() - started)
    reason = _reason(first, visit.id) if grid is None else _why_not(grid, visit.id)
    if visit.latest_end is not None and visit.latest_end < day.center.closes:
        alternatives += _later_today(extended, current, visit, now, max_shift, date, grid, deadline, seed, workers)
    alternatives += moves.offer()
    if next_day is not None:
        alternatives += tomorrow(next_day, requested, deadline, seed, workers)
    return AddOn(False, current, None, [], reason, alternatives, time.monotonic() - started)


def _placed_today(
    day: Day,
    current: Schedule,
    visit: Appointment,
    now: int,
    wanted: int,
    max_shift: int,
    grid: Running | None,
    deadline: float,
    seed: int,
    workers: int,
) -> Replan:
    """The add-on as close after `wanted` as the day allows with every promise kept (within `max_shift`)."""
    quick = None
    if grid is not None:
        job = grid.job(visit.id)
        found = earliest_insertion(grid.instance, grid.placements, grid.begun, job, range(job.lo, job.hi + 1))
        if found is not None:
            quick = by_hand(day, current, grid, found, now)
            placed = placed_visit(quick, visit.id)
            # With every start kept (or the wanted start itself) nothing is left to search for.
            if max_shift == 0 or (placed is not None and placed.start == wanted):
                return quick
        elif max_shift == 0:
            return Replan(None, [], "infeasible")
    if deadline - time.monotonic() < SOLVER_ROOM:
        return quick or Replan(None, [], "unknown")
    first_fit = None if quick is None else placed_visit(quick, visit.id)
    if first_fit is not None:
        # Nothing later than the first fit with every start kept needs searching for.
        limited = visit.model_copy(update={"latest_end": first_fit.end})
        day = day.model_copy(update={"appointments": [*day.appointments[:-1], limited]})
    result = replan(
        day,
        current,
        now,
        max_shift=max_shift,
        wanted={visit.id: wanted},
        hint=None if first_fit is None else {visit.id: first_fit},
        time_limit=(deadline - time.monotonic()) / 2,
        deadline=deadline,
        seed=seed,
        workers=workers,
    )
    return result if result.schedule is not None or quick is None else quick


def _reason(result: Replan, identifier: str) -> str:
    if result.schedule is None:
        return Message(N_("the day as promised leaves no room"))
    otherwise = Message(N_("it does not fit today"))
    return next((u.reason for u in result.schedule.unscheduled if u.appointment == identifier), otherwise)


def _why_not(grid: Running, identifier: str) -> str:
    """Why the add-on fits nowhere today with everyone where they are."""
    occupancy = Occupancy(grid.instance)
    for placement in grid.placements.values():
        occupancy.place(placement)
    return unscheduled_reason(grid.instance, grid.job(identifier), occupancy)


def _later_today(
    day: Day,
    current: Schedule,
    visit: Appointment,
    now: int,
    max_shift: int,
    date: str,
    grid: Running | None,
    deadline: float,
    seed: int,
    workers: int,
) -> list[Alternative]:
    """The add-on past its own latest end, every promise kept."""
    later = day.model_copy(
        update={"appointments": [*day.appointments[:-1], visit.model_copy(update={"latest_end": None})]}
    )
    again = running(later, current, now) if grid is not None else None
    wanted = visit.earliest_start or now
    result = _placed_today(later, current, visit, now, wanted, max_shift, again, deadline, seed, workers)
    found = placed_visit(result, visit.id)
    if found is None or visit.latest_end is None:
        return []
    return [
        Alternative(
            kind="later-today",
            date=date,
            start=found.start,
            chair=found.chair,
            changes=other_changes(result, visit.id),
            note=Message(
                N_("ends {end}, after its latest end {latest}"),
                end=format_clock(found.end),
                latest=format_clock(visit.latest_end),
            ),
        )
    ]
