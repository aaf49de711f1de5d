"""Hand edits of a day schedule: move one visit to another chair or time, its nurse tasks with it.

Nothing here decides whether the edit is allowed: the result goes through the independent validator,
and its violations are returned with it for the scheduler to read.
"""

from __future__ import annotations

from msinfusion.scheduling.day import Day
from msinfusion.scheduling.schedule import Assignment, NurseTask, Schedule
from msinfusion.scheduling.validation import compute_objective, schedule_violations

__all__ = ["UnknownVisit", "free_nurse", "move_visit"]


class UnknownVisit(ValueError):
    """The visit to move is not one of the day's appointments."""


def free_nurse(day: Day, busy: dict[str, list[tuple[int, int]]], start: int, end: int, preferred: str | None) -> str:
    """The nurse for a task from ``start`` to ``end``: the preferred one when on shift and free, else the
    first nurse who is; when nobody is, the preferred nurse (the validator then names the clash)."""
    nurses = sorted(day.center.nurses, key=lambda n: n.id != preferred)
    for nurse in nurses:
        on_shift = nurse.shift_start <= start and end <= nurse.shift_end
        if on_shift and all(end <= s or e <= start for s, e in busy.get(nurse.id, [])):
            return nurse.id
    return preferred or (nurses[0].id if nurses else "")


def move_visit(day: Day, schedule: Schedule, appointment: str, chair: str, start: int) -> tuple[Schedule, list[str]]:
    """The schedule with one appointment moved to ``chair`` at ``start``, and its rule violations.

    The appointment's nurse tasks move with it; each goes to its former nurse when that nurse is on
    shift and free, else to the first nurse who is.
    """
    visit = next((a for a in day.appointments if a.id == appointment), None)
    if visit is None:
        raise UnknownVisit(appointment)
    others = [a for a in schedule.assignments if a.appointment != appointment]
    before = next((a for a in schedule.assignments if a.appointment == appointment), None)
    former = {task.phase: task.nurse for task in before.nurse_tasks} if before else {}
    busy: dict[str, list[tuple[int, int]]] = {}
    for other in others:
        for task in other.nurse_tasks:
            busy.setdefault(task.nurse, []).append((task.start, task.end))
    tasks: list[NurseTask] = []
    offset = start
    for phase in visit.resolved_phases:
        if phase.nurse_minutes > 0:
            end = offset + phase.nurse_minutes
            nurse = free_nurse(day, busy, offset, end, former.get(phase.name))
            tasks.append(NurseTask(phase=phase.name, nurse=nurse, start=offset, end=end))
            busy.setdefault(nurse, []).append((offset, end))
        offset += phase.minutes
    assignment = Assignment(appointment=appointment, chair=chair, start=start, end=offset, nurse_tasks=tasks)
    assignments = sorted([*others, assignment], key=lambda a: (a.start, a.chair))
    candidate = schedule.model_copy(
        update={
            "assignments": assignments,
            "unscheduled": [u for u in schedule.unscheduled if u.appointment != appointment],
            "objective": compute_objective(day, assignments),
        }
    )
    return candidate, schedule_violations(day, candidate)
