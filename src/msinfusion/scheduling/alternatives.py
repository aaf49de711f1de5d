"""The alternatives an add-on is offered when it does not fit at the start it wants, and the checked
schedule of a placement found by hand (see :mod:`msinfusion.scheduling.addon`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from msinfusion.i18n import N_, Message, MessageText
from msinfusion.scheduling.bumping import MadeRoom, make_room
from msinfusion.scheduling.changes import Change, schedule_changes
from msinfusion.scheduling.clock import Clock
from msinfusion.scheduling.day import Appointment, Day, with_catalog_phases
from msinfusion.scheduling.insertion import Running, earliest_insertion, running
from msinfusion.scheduling.placement import Placement, to_assignment
from msinfusion.scheduling.problems import DayProblem
from msinfusion.scheduling.promises import Replan, replan
from msinfusion.scheduling.schedule import Assignment, Schedule, SolverInfo, Unscheduled
from msinfusion.scheduling.validation import InvalidSchedule, check_schedule, compute_objective, replan_violations

__all__ = ["Alternative", "WithMoves", "by_hand", "other_changes", "placed_visit", "tomorrow", "with_visit"]

SOLVER_ROOM = 0.4
"""Seconds before its deadline below which an add-on does not start a CP-SAT search (building the
model of a 100-visit day alone takes about 0.1 s, more on a busy machine)."""
MOVES_SEARCH = 0.2
"""Seconds of CP-SAT search for a better 'with moves' offer than the one found by hand (an offer, not
the answer: it must not make the add-on wait)."""
NEIGHBOURHOOD = 60
"""Visits within this many minutes of the add-on's wanted stay are the ones a 'with moves' search
with CP-SAT may move (a small neighbourhood keeps the search well under a second on a 100-visit day)."""


class Alternative(BaseModel):
    """Another way to see the add-on patient: where, when, and what would have to give for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["later-today", "with-moves", "tomorrow"]
    date: str
    start: Clock
    chair: str
    changes: list[Change]
    note: MessageText


def with_visit(day: Day, visit: Appointment) -> Day:
    if any(a.id == visit.id for a in day.appointments):
        raise DayProblem("appointment.id", f"{visit.id!r} is already on the day")
    return with_catalog_phases(day.model_copy(update={"appointments": [*day.appointments, visit]}))


def placed_visit(result: Replan, identifier: str) -> Assignment | None:
    if result.schedule is None:
        return None
    return next((a for a in result.schedule.assignments if a.appointment == identifier), None)


def other_changes(result: Replan, identifier: str) -> list[Change]:
    return [c for c in result.changes if c.appointment != identifier]


def by_hand(day: Day, current: Schedule, grid: Running, placements: list[Placement], now: int) -> Replan:
    """The schedule in force with the add-on in (starts kept), checked like every other result."""
    started = time.monotonic()
    assignments = [to_assignment(grid.instance, p) for p in placements]
    schedule = current.model_copy(
        update={
            "assignments": assignments,
            "objective": compute_objective(day, assignments),
            "bound": None,
            "solver": SolverInfo(name="add-on", status="heuristic", seconds=0.0),
        }
    )
    check_schedule(day, schedule)
    violations = replan_violations(current, schedule, now, max_shift=0)
    if violations:
        raise InvalidSchedule(violations)
    return Replan(schedule, schedule_changes(current, schedule), "feasible", time.monotonic() - started)


@dataclass(frozen=True)
class WithMoves:
    """The 'with moves' alternative: the add-on at the start it wants, moving as few promised starts
    as possible (by hand first; CP-SAT around the wanted stay when that moves more than one and time is left)."""

    day: Day
    current: Schedule
    visit: Appointment
    now: int
    wanted: int
    max_shift: int
    date: str
    grid: Running | None
    deadline: float
    seed: int
    workers: int

    def offer(self) -> list[Alternative]:
        visit, wanted, current = self.visit, self.wanted, self.current
        pinned = self.day.model_copy(
            update={
                "appointments": [
                    *self.day.appointments[:-1],
                    visit.model_copy(
                        update={
                            "earliest_start": wanted,
                            "preferred_start": wanted,
                            "latest_end": wanted + visit.minutes,
                        }
                    ),
                ]
            }
        )
        if wanted + visit.minutes > self.day.center.closes:
            return []  # it cannot be at that start today however the others move
        found: list[Replan] = []
        grid = running(pinned, current, self.now) if self.grid is not None else None
        if grid is not None:
            made = make_room(
                grid.instance,
                grid.placements,
                grid.begun,
                grid.job(visit.id),
                grid.unit(wanted),
                deadline=self.deadline - SOLVER_ROOM / 4,
            )
            if made is not None:
                found.append(self._checked(pinned, grid, made))
        if not found or _cost(found[0], visit.id)[:2] > (0, 1):
            found += self._searched(pinned)
        if not found:
            return []
        best = min(found, key=lambda r: _cost(r, visit.id))
        placed = placed_visit(best, visit.id)
        assert placed is not None
        others = other_changes(best, visit.id)
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
            Alternative(
                kind="with-moves", date=self.date, start=placed.start, chair=placed.chair, changes=others, note=note
            )
        ]

    def _checked(self, pinned: Day, grid: Running, made: MadeRoom) -> Replan:
        jobs = grid.instance.jobs
        assignments = [to_assignment(grid.instance, p) for p in made.placements]
        reason = Message(N_("it does not fit today"))
        dropped = [jobs[j].id for j in made.dropped]
        schedule = self.current.model_copy(
            update={
                "assignments": assignments,
                "unscheduled": [
                    *self.current.unscheduled,
                    *(Unscheduled(appointment=i, reason=reason) for i in dropped),
                ],
                "objective": compute_objective(pinned, assignments),
                "bound": None,
                "solver": SolverInfo(name="add-on", status="heuristic", seconds=0.0),
            }
        )
        check_schedule(pinned, schedule)
        moved = [jobs[j].id for j in made.moved]
        violations = replan_violations(
            self.current, schedule, self.now, max_shift=self.max_shift, movable=moved, dropped=dropped
        )
        if violations:
            raise InvalidSchedule(violations)
        return Replan(schedule, schedule_changes(self.current, schedule), "feasible")

    def _searched(self, pinned: Day) -> list[Replan]:
        end = self.wanted + self.visit.minutes
        near = [
            a.appointment
            for a in self.current.assignments
            if a.start >= self.now and a.start < end + NEIGHBOURHOOD and a.end > self.wanted - NEIGHBOURHOOD
        ]
        for keep_all in (True, False):
            if self.deadline - time.monotonic() < SOLVER_ROOM:
                break
            result = replan(
                pinned,
                self.current,
                self.now,
                max_shift=self.max_shift,
                movable=near,
                keep_all=keep_all,
                required={self.visit.id},
                time_limit=MOVES_SEARCH,
                deadline=self.deadline,
                seed=self.seed,
                workers=self.workers,
            )
            if placed_visit(result, self.visit.id) is not None:
                return [result]
        return []


def _cost(result: Replan, identifier: str) -> tuple[int, int, int]:
    """Visits taken off the day, promised starts changed, minutes moved."""
    others = other_changes(result, identifier)
    gone = sum(1 for c in others if c.new_start is None)
    moved = [c for c in others if c.start_moved and c.new_start is not None and c.old_start is not None]
    minutes = sum(abs((c.new_start or 0) - (c.old_start or 0)) for c in moved)
    return (gone, len(moved), minutes)


def tomorrow(
    next_day: tuple[Day, Schedule], visit: Appointment, deadline: float, seed: int, workers: int
) -> list[Alternative]:
    """The add-on on the next day at the free place closest to the start it wants, every promise kept."""
    day, schedule = next_day
    extended = with_visit(day, visit)
    opens = day.center.opens
    grid = running(extended, schedule, opens)
    result: Replan | None = None
    if grid is not None:
        job = grid.job(visit.id)
        target = job.lo if job.preferred is None else job.preferred
        starts = sorted(range(job.lo, job.hi + 1), key=lambda s: (abs(s - target), s))
        # The next day is booked ahead: its visits keep their chair and nurse, not only their start.
        found = earliest_insertion(grid.instance, grid.placements, grid.begun, job, starts, keep=True)
        if found is not None:
            result = by_hand(extended, schedule, grid, found, opens)
    elif deadline - time.monotonic() > SOLVER_ROOM:
        left = deadline - time.monotonic()
        result = replan(extended, schedule, opens, time_limit=left, deadline=deadline, seed=seed, workers=workers)
    placed = None if result is None else placed_visit(result, visit.id)
    if result is None or placed is None:
        return []
    return [
        Alternative(
            kind="tomorrow",
            date=day.center.date.isoformat(),
            start=placed.start,
            chair=placed.chair,
            changes=other_changes(result, visit.id),
            note=Message(N_("no promised start changes")),
        )
    ]
