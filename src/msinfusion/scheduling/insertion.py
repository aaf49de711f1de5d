"""Inserting one visit into a running day where every other start stays: the earliest start it fits.

Nothing here searches with a solver: with every other start fixed, whether a visit fits at a start is
a question of counting. Chairs with the same features and nurses with the same shift are
interchangeable (:mod:`msinfusion.scheduling.instance`), so the visit fits at a start when, over its
stay:

* **ratio**: one more patient in a chair keeps the nurse ratio in every grid unit;
* **chair**: a chair group it may use has a chair free in every unit;
* **nurse**: each nurse task has a group of nurses on shift over the task with a nurse free.

When a group is full, a visit that has not started may change group (another chair; a task not begun,
another nurse), which no patient notices: one at a time, a holder of the full group over a full unit
moves to another group it may use that has room over its whole span. Seated visits keep their chair
and nurse tasks begun before `now` keep their nurse. Concrete chairs and nurses are then given out
keeping everyone's own where free (:func:`msinfusion.scheduling.placement.seat_in_groups`).

The scan is exact about the rules (every answer is checked by the validator) and fast (no model); it
may miss a start where a longer chain of group changes would make room.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from msinfusion.scheduling.day import Day
from msinfusion.scheduling.instance import Instance, Job
from msinfusion.scheduling.placement import Placement, seat_in_groups
from msinfusion.scheduling.schedule import Schedule

__all__ = ["FixedStarts", "Running", "earliest_insertion", "running"]

Key = tuple[int, int]
"""A holder of a group: (job, -1) for a visit's chair, (job, task number) for a nurse task."""


class _Groups:
    """One kind of interchangeable resource: members in use per group and grid unit, and who holds them."""

    def __init__(self, sizes: list[int], horizon: int) -> None:
        self.sizes = sizes
        self.horizon = horizon
        self.use = [[0] * horizon for _ in sizes]
        self.group: dict[Key, int] = {}
        self.span: dict[Key, tuple[int, int]] = {}
        self.options: dict[Key, list[int]] = {}
        self.movable: dict[Key, bool] = {}

    def add(self, key: Key, group: int, span: tuple[int, int], options: list[int], movable: bool) -> None:
        self.group[key] = group
        self.span[key] = span
        self.options[key] = options
        self.movable[key] = movable
        self._count(group, span, 1)

    def discard(self, key: Key) -> None:
        self._count(self.group.pop(key), self.span.pop(key), -1)
        del self.options[key]
        del self.movable[key]

    def _count(self, group: int, span: tuple[int, int], step: int) -> None:
        use = self.use[group]
        for t in range(max(0, span[0]), min(self.horizon, span[1])):
            use[t] += step

    def room(self, group: int, span: tuple[int, int]) -> bool:
        use, size = self.use[group], self.sizes[group]
        return all(use[t] < size for t in range(max(0, span[0]), min(self.horizon, span[1])))

    def _move(self, key: Key, to: int) -> None:
        span = self.span[key]
        self._count(self.group[key], span, -1)
        self._count(to, span, 1)
        self.group[key] = to

    def make_room(self, options: list[int], span: tuple[int, int]) -> tuple[int, list[tuple[Key, int]]] | None:
        """A group of `options` with a member free over `span`, moving movable holders to other groups
        they may use where needed; the moves are made (undo them with :meth:`undo`)."""
        for group in options:
            if self.room(group, span):
                return group, []
        for group in options:
            moves: list[tuple[Key, int]] = []
            if self._clear(group, span, moves):
                return group, moves
            self.undo(moves)
        return None

    def _clear(self, group: int, span: tuple[int, int], moves: list[tuple[Key, int]]) -> bool:
        size, use = self.sizes[group], self.use[group]
        for t in range(max(0, span[0]), min(self.horizon, span[1])):
            if use[t] < size:
                continue
            holders = [
                key
                for key, g in self.group.items()
                if g == group and self.movable[key] and self.span[key][0] <= t < self.span[key][1]
            ]
            moved = False
            for key in holders:
                other = next((o for o in self.options[key] if o != group and self.room(o, self.span[key])), None)
                if other is not None:
                    moves.append((key, group))
                    self._move(key, other)
                    moved = True
                    break
            if not moved:
                return False
        return True

    def undo(self, moves: list[tuple[Key, int]]) -> None:
        for key, back in reversed(moves):
            self._move(key, back)


class FixedStarts:
    """A day's placements with every start fixed, counted per chair group, nurse group and grid unit.

    `begun` is the first grid unit at or after `now`: a visit starting before it is seated, a nurse
    task beginning before it has begun. With `keep` (a day booked ahead, whose visits were told their
    chair), no visit changes group: the visit fits only where there is room as things stand."""

    def __init__(
        self, instance: Instance, placements: Mapping[int, Placement], begun: int, *, keep: bool = False
    ) -> None:
        self.instance = instance
        self.begun = begun
        self.keep = keep
        self.placements = dict(placements)
        horizon = instance.horizon
        self.chair_group = {chair: g.index for g in instance.chair_groups for chair in g.chairs}
        self.nurse_group = {nurse: g.index for g in instance.nurse_groups for nurse in g.nurses}
        self.chairs = _Groups([g.size for g in instance.chair_groups], horizon)
        self.nurses = _Groups([g.size for g in instance.nurse_groups], horizon)
        self.patients = [0] * horizon
        for placement in placements.values():
            self._book(instance.jobs[placement.job], placement.start, placement)

    def _chair_options(self, job: Job) -> list[int]:
        return [g.index for g in self.instance.chair_groups_for(job)]

    def _nurse_options(self, span: tuple[int, int]) -> list[int]:
        return [g.index for g in self.instance.nurse_groups if g.start <= span[0] and span[1] <= g.end]

    def _book(self, job: Job, start: int, placement: Placement | None, groups: list[int] | None = None) -> None:
        """Count a job at `start`: in its placement's groups (a placement given) or in `groups`
        (chair group first, then one per nurse task)."""
        j = job.index
        stay = (start, start + job.duration)
        seated = start < self.begun
        chair = self.chair_group[placement.chair] if placement is not None else (groups or [])[0]
        self.chairs.add((j, -1), chair, stay, self._chair_options(job), not seated and not self.keep)
        for k, task in enumerate(job.tasks):
            span = (start + task.offset, start + task.offset + task.length)
            nurse = self.nurse_group[placement.nurses[k]] if placement is not None else (groups or [])[k + 1]
            self.nurses.add((j, k), nurse, span, self._nurse_options(span), span[0] >= self.begun and not self.keep)
        for t in range(max(0, stay[0]), min(self.instance.horizon, stay[1])):
            self.patients[t] += 1

    def _groups_at(self, job: Job, start: int) -> list[int] | None:
        """Groups for `job` at `start` (chair, then each task), moving holders to make room; None if
        none (nothing moved then)."""
        capacity = self.instance.patient_capacity
        end = start + job.duration
        if start < 0 or end > self.instance.horizon:
            return None
        if any(self.patients[t] >= capacity[t] for t in range(start, end)):
            return None
        chair = self.chairs.make_room(self._chair_options(job), (start, end))
        if chair is None:
            return None
        groups = [chair[0]]
        nurse_moves: list[tuple[Key, int]] = []
        held: list[Key] = []
        for task in job.tasks:
            span = (start + task.offset, start + task.offset + task.length)
            found = self.nurses.make_room(self._nurse_options(span), span)
            if found is not None:
                # Hold the member at once, so that a later task's moves count it.
                held.append((job.index, -2 - len(held)))
                self.nurses.add(held[-1], found[0], span, [found[0]], False)
                nurse_moves += found[1]
                groups.append(found[0])
                continue
            for key in held:
                self.nurses.discard(key)
            self.nurses.undo(nurse_moves)
            self.chairs.undo(chair[1])
            return None
        for key in held:
            self.nurses.discard(key)
        return groups

    def insert(self, job: Job, starts: Iterable[int]) -> list[Placement] | None:
        """Place `job` at the first start of `starts` where it fits; every placement of the day (the
        others keeping their start, seated ones their chair), or None when it fits at none."""
        for start in starts:
            if start < self.begun:
                continue
            groups = self._groups_at(job, start)
            if groups is None:
                continue
            self._book(job, start, None, groups)
            return self._seat(job.index, start)
        return None

    def _seat(self, new: int, start: int) -> list[Placement]:
        starts = {j: p.start for j, p in self.placements.items()}
        starts[new] = start
        chair_group = {j: g for (j, _), g in self.chairs.group.items()}
        nurse_group = dict(self.nurses.group)
        return seat_in_groups(self.instance, starts, chair_group, nurse_group, prefer=self.placements)


def earliest_insertion(
    instance: Instance,
    placements: Mapping[int, Placement],
    begun: int,
    job: Job,
    starts: Iterable[int],
    *,
    keep: bool = False,
) -> list[Placement] | None:
    """The day's placements with `job` added at the first of `starts` where it fits with every other
    start kept (None if none; with `keep`, every other chair and nurse too); see the module docstring."""
    return FixedStarts(instance, placements, begun, keep=keep).insert(job, starts)


@dataclass(frozen=True)
class Running:
    """A running day on its grid: the schedule in force as placements, and the first unit from now."""

    instance: Instance
    placements: dict[int, Placement]
    begun: int

    def job(self, identifier: str) -> Job:
        return next(job for job in self.instance.jobs if job.id == identifier)

    def unit(self, minutes: int) -> int:
        """The grid unit of a clock time, rounded up."""
        return -(-(minutes - self.instance.origin) // self.instance.unit)


def running(day: Day, schedule: Schedule, now: int) -> Running | None:
    """The day (phases resolved) and its schedule as grid placements; None when the schedule does not
    sit on the day's grid as it is (a start off the grid, a visit or chair or nurse the day lacks, a
    task count that differs): the callers then leave the day to the solver."""
    instance = Instance(day)
    index = {job.id: job for job in instance.jobs}
    chairs = {chair for group in instance.chair_groups for chair in group.chairs}
    nurses = {nurse for group in instance.nurse_groups for nurse in group.nurses}
    placements: dict[int, Placement] = {}
    for a in schedule.assignments:
        job = index.get(a.appointment)
        offset = a.start - instance.origin
        names = tuple(task.nurse for task in a.nurse_tasks)
        if job is None or offset % instance.unit or a.chair not in chairs or len(names) != len(job.tasks):
            return None
        if not set(names) <= nurses or offset < 0 or offset // instance.unit + job.duration > instance.horizon:
            return None
        placements[job.index] = Placement(job.index, offset // instance.unit, a.chair, names)
    begun = -(-(now - instance.origin) // instance.unit)
    return Running(instance, placements, max(0, begun))
