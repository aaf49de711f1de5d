"""The load of a day: patients in chairs against the nurse ratio's capacity, minute by minute.

One sweep serves both the independent validator (the nurse-ratio rule) and the staff charts and tables,
so what the chart shows is what the validator checked. Counts only change where a visit starts or ends
or a shift starts or ends, so the sweep visits those minutes only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.day import Center, Day
from msinfusion.scheduling.schedule import Assignment, Schedule

__all__ = ["HourLoad", "LoadPoint", "NurseLoad", "hourly_load", "load_at", "load_curve", "nurse_load", "sweep"]


@dataclass(frozen=True)
class LoadPoint:
    """Patients in chairs and the nurse ratio's capacity from ``minute`` until the next point."""

    minute: int
    patients: int
    nurses: int
    capacity: int

    @property
    def over_capacity(self) -> bool:
        return self.patients > self.capacity


def load_at(center: Center, assignments: Sequence[Assignment], minute: int) -> LoadPoint:
    """Patients in chairs, nurses on shift and capacity (ratio x nurses) at one minute."""
    patients = sum(1 for a in assignments if a.start <= minute < a.end)
    nurses = sum(1 for n in center.nurses if n.shift_start <= minute < n.shift_end)
    return LoadPoint(minute, patients, nurses, nurses * center.max_patients_per_nurse)


def sweep(center: Center, assignments: Sequence[Assignment], extra: Iterable[int] = ()) -> list[LoadPoint]:
    """The load at every minute it may change (visit and shift edges, plus ``extra``), in order."""
    moments = sorted(
        {a.start for a in assignments}
        | {a.end for a in assignments}
        | {n.shift_start for n in center.nurses}
        | {n.shift_end for n in center.nurses}
        | set(extra)
    )
    return [load_at(center, assignments, minute) for minute in moments]


def load_curve(day: Day, schedule: Schedule) -> list[LoadPoint]:
    """The load at every minute either count changes within opening hours (the chart's steps)."""
    center = day.center
    points = sweep(center, schedule.assignments, extra=(center.opens, center.closes))
    return [p for p in points if center.opens <= p.minute <= center.closes]


@dataclass(frozen=True)
class HourLoad:
    """One hour of the day in numbers, the table alternative of the load charts."""

    hour: int
    most_patients: int
    least_capacity: int
    nurses: int
    task_minutes: int


def hourly_load(day: Day, schedule: Schedule) -> list[HourLoad]:
    """Per opening hour: the most patients in chairs, the lowest capacity, nurses on shift, task minutes."""
    center = day.center
    hours = []
    for hour in range(center.opens // 60 * 60, center.closes, 60):
        points = [
            load_at(center, schedule.assignments, m)
            for m in range(max(hour, center.opens), min(hour + 60, center.closes))
        ]
        tasks = sum(
            max(0, min(t.end, hour + 60) - max(t.start, hour)) for a in schedule.assignments for t in a.nurse_tasks
        )
        hours.append(
            HourLoad(
                hour,
                max((p.patients for p in points), default=0),
                min((p.nurses for p in points), default=0) * center.max_patients_per_nurse,
                max((p.nurses for p in points), default=0),
                tasks,
            )
        )
    return hours


@dataclass(frozen=True)
class NurseLoad:
    """One nurse's day in numbers."""

    nurse: str
    shift: str
    tasks: int
    task_minutes: int
    shift_minutes: int


def nurse_load(day: Day, schedule: Schedule) -> list[NurseLoad]:
    """Each nurse's shift, number of tasks and task minutes."""
    loads = []
    for nurse in day.center.nurses:
        tasks = [t for a in schedule.assignments for t in a.nurse_tasks if t.nurse == nurse.id]
        loads.append(
            NurseLoad(
                nurse.id,
                f"{format_clock(nurse.shift_start)}–{format_clock(nurse.shift_end)}",
                len(tasks),
                sum(t.end - t.start for t in tasks),
                nurse.shift_end - nurse.shift_start,
            )
        )
    return loads
