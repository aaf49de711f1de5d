"""The day as the solvers see it: a time grid, appointments as jobs, and interchangeable resources.

Three reductions make the solvers' work smaller without losing any schedule:

* **Time grid.** Every time of the day is divided by the greatest common divisor of all times and
  durations (5 minutes on a typical day), counted from opening. Rounding every start of a feasible
  schedule down to the grid keeps it feasible (all constraints compare starts and ends that differ by
  multiples of the grid), and the preference term is convex with its kink on the grid, so an optimal
  schedule exists on the grid.
* **Chair groups.** Chairs with the same features are interchangeable; a job chooses a group, and a
  group of k chairs can seat any set of visits that never has more than k at once (interval graphs are
  perfect), so chairs are given out afterwards. A chair that some appointment is fixed to is a group of
  its own.
* **Nurse groups.** Nurses with the same shift are interchangeable in the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from msinfusion.scheduling.day import Appointment, Day

__all__ = ["ChairGroup", "Instance", "Job", "NurseGroup", "Task"]


@dataclass(frozen=True)
class Task:
    """A nurse task of a job: `length` grid units starting `offset` units after the job starts."""

    phase: str
    offset: int
    length: int


@dataclass(frozen=True)
class Job:
    """One appointment on the grid. `lo`..`hi` is its start window (empty when `lo > hi`)."""

    index: int
    id: str
    duration: int
    tasks: tuple[Task, ...]
    lo: int
    hi: int
    preferred: int | None
    priority: int
    requires: frozenset[str]
    fixed_start: int | None
    fixed_chair: str | None


@dataclass(frozen=True)
class ChairGroup:
    """Interchangeable chairs: the same features (and not pinned by a fixed appointment)."""

    index: int
    chairs: tuple[str, ...]
    features: frozenset[str]

    @property
    def size(self) -> int:
        return len(self.chairs)


@dataclass(frozen=True)
class NurseGroup:
    """Interchangeable nurses: the same shift, `start`..`end` in grid units (clipped to the day)."""

    index: int
    nurses: tuple[str, ...]
    start: int
    end: int

    @property
    def size(self) -> int:
        return len(self.nurses)


class Instance:
    """A resolved day (every appointment has phases) on its time grid."""

    def __init__(self, day: Day) -> None:
        self.day = day
        center = day.center
        self.origin = center.opens
        self.unit = _grid_unit(day)
        self.horizon = (center.closes - center.opens) // self.unit
        self.ratio = center.max_patients_per_nurse
        self.jobs = tuple(self._job(index, a) for index, a in enumerate(day.appointments))
        self.chair_groups = self._chair_groups()
        self.nurse_groups = self._nurse_groups()

    def to_minutes(self, units: int) -> int:
        """Clock minutes of a grid time."""
        return self.origin + units * self.unit

    def _units(self, minutes: int) -> int:
        return (minutes - self.origin) // self.unit

    def _job(self, index: int, appointment: Appointment) -> Job:
        unit = self.unit
        tasks = []
        offset = 0
        for phase in appointment.resolved_phases:
            if phase.nurse_minutes > 0:
                tasks.append(Task(phase.name, offset // unit, phase.nurse_minutes // unit))
            offset += phase.minutes
        duration = offset // unit
        earliest = 0 if appointment.earliest_start is None else self._units(appointment.earliest_start)
        latest = self.horizon
        if appointment.latest_end is not None:
            latest = min(latest, self._units(appointment.latest_end))
        fixed = appointment.fixed
        return Job(
            index=index,
            id=appointment.id,
            duration=duration,
            tasks=tuple(tasks),
            lo=max(0, earliest),
            hi=latest - duration,
            preferred=None if appointment.preferred_start is None else self._units(appointment.preferred_start),
            priority=appointment.priority,
            requires=frozenset(appointment.requires),
            fixed_start=None if fixed is None or fixed.start is None else self._units(fixed.start),
            fixed_chair=None if fixed is None else fixed.chair,
        )

    def _chair_groups(self) -> tuple[ChairGroup, ...]:
        pinned = {job.fixed_chair for job in self.jobs if job.fixed_chair is not None}
        keys: dict[tuple[frozenset[str], str | None], list[str]] = {}
        for chair in self.day.center.chairs:
            features = frozenset(chair.features)
            keys.setdefault((features, chair.id if chair.id in pinned else None), []).append(chair.id)
        return tuple(
            ChairGroup(index, tuple(chairs), features) for index, ((features, _), chairs) in enumerate(keys.items())
        )

    def _nurse_groups(self) -> tuple[NurseGroup, ...]:
        keys: dict[tuple[int, int], list[str]] = {}
        for nurse in self.day.center.nurses:
            start = max(0, self._units(nurse.shift_start))
            end = min(self.horizon, self._units(nurse.shift_end))
            if end > start:
                keys.setdefault((start, end), []).append(nurse.id)
        return tuple(
            NurseGroup(index, tuple(nurses), start, end) for index, ((start, end), nurses) in enumerate(keys.items())
        )

    def chair_groups_for(self, job: Job) -> list[ChairGroup]:
        """Groups whose chairs have the job's features and, if it is fixed to a chair, hold that chair."""
        return [
            group
            for group in self.chair_groups
            if job.requires <= group.features and (job.fixed_chair is None or job.fixed_chair in group.chairs)
        ]

    @cached_property
    def nurses_on_shift(self) -> list[int]:
        """Nurses on shift in each grid unit of the day."""
        counts = [0] * self.horizon
        for group in self.nurse_groups:
            for t in range(group.start, group.end):
                counts[t] += group.size
        return counts

    @cached_property
    def patient_capacity(self) -> list[int]:
        """Patients allowed in chairs in each grid unit: the nurse ratio times nurses on shift."""
        return [self.ratio * n for n in self.nurses_on_shift]


def _grid_unit(day: Day) -> int:
    center = day.center
    times = [center.opens, center.closes]
    for nurse in center.nurses:
        times += [nurse.shift_start, nurse.shift_end]
    for appointment in day.appointments:
        for phase in appointment.resolved_phases:
            times += [phase.minutes, phase.nurse_minutes]
        times += [
            t
            for t in (
                appointment.earliest_start,
                appointment.latest_end,
                appointment.preferred_start,
                appointment.fixed.start if appointment.fixed else None,
            )
            if t is not None
        ]
    return math.gcd(*times) or 1
