"""The independent checker: does a schedule follow every rule of the format for its day?

This module shares nothing with the solvers and must not import `ortools` (a test checks it in a
subprocess). It works minute by minute on the day's own numbers, so a bug in the solver's time grid,
chair groups or nurse groups cannot hide here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable

from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.day import Appointment, Day
from msinfusion.scheduling.load import sweep
from msinfusion.scheduling.schedule import Assignment, Objective, Schedule

__all__ = ["InvalidSchedule", "check_schedule", "compute_objective", "replan_violations", "schedule_violations"]


class InvalidSchedule(AssertionError):
    """A solver produced a schedule that breaks a rule; this is a bug, never bad input."""

    def __init__(self, violations: list[str]) -> None:
        shown = "; ".join(violations[:5])
        more = f" (+{len(violations) - 5} more)" if len(violations) > 5 else ""
        super().__init__(f"invalid schedule: {shown}{more}")
        self.violations = violations


def compute_objective(day: Day, assignments: Iterable[Assignment]) -> Objective:
    """The format's objective for a set of assignments (unknown appointment ids are ignored)."""
    by_id = {appointment.id: appointment for appointment in day.appointments}
    priority = count = deviation = 0
    for assignment in assignments:
        appointment = by_id.get(assignment.appointment)
        if appointment is None:
            continue
        priority += appointment.priority
        count += 1
        if appointment.preferred_start is not None:
            deviation += abs(assignment.start - appointment.preferred_start)
    return Objective(scheduled_priority=priority, scheduled=count, preference_deviation_minutes=deviation)


def check_schedule(day: Day, schedule: Schedule) -> None:
    """Raise :class:`InvalidSchedule` listing every broken rule; return quietly if the schedule is valid."""
    violations = schedule_violations(day, schedule)
    if violations:
        raise InvalidSchedule(violations)


def schedule_violations(day: Day, schedule: Schedule) -> list[str]:
    """Every way `schedule` breaks the format's rules for `day` (empty when valid).

    The day's phases must be resolved (see `with_catalog_phases`).
    """
    problems: list[str] = []
    problems += _check_header(day, schedule)
    problems += _check_coverage(day, schedule)
    by_id = {appointment.id: appointment for appointment in day.appointments}
    known = [a for a in schedule.assignments if a.appointment in by_id]
    for assignment in known:
        problems += _check_assignment(day, by_id[assignment.appointment], assignment)
    problems += _check_chairs_hold_one(known)
    problems += _check_nurses_do_one_task(known)
    problems += _check_nurse_ratio(day, known)
    expected = compute_objective(day, known)
    if schedule.objective != expected:
        problems.append(f"objective is {schedule.objective.model_dump()}, recomputed {expected.model_dump()}")
    if schedule.bound is not None and schedule.bound.scheduled_priority < expected.scheduled_priority:
        problems.append(
            f"bound {schedule.bound.scheduled_priority} is below the scheduled priority {expected.scheduled_priority}"
        )
    return problems


def _check_header(day: Day, schedule: Schedule) -> list[str]:
    problems = []
    if schedule.center != day.center.name:
        problems.append(f"center is {schedule.center!r}, the day's is {day.center.name!r}")
    if schedule.date != day.center.date:
        problems.append(f"date is {schedule.date}, the day's is {day.center.date}")
    return problems


def _check_coverage(day: Day, schedule: Schedule) -> list[str]:
    problems = []
    listed = Counter(a.appointment for a in schedule.assignments)
    listed.update(u.appointment for u in schedule.unscheduled)
    for appointment in day.appointments:
        times = listed.pop(appointment.id, 0)
        if times != 1:
            problems.append(f"appointment {appointment.id} appears {times} times (must be exactly once)")
    problems += [f"unknown appointment {identifier}" for identifier in sorted(listed)]
    return problems


def _check_assignment(day: Day, appointment: Appointment, assignment: Assignment) -> list[str]:
    center = day.center
    label = f"appointment {appointment.id}"
    problems: list[str] = []
    chairs = {chair.id: chair for chair in center.chairs}
    chair = chairs.get(assignment.chair)
    if chair is None:
        problems.append(f"{label}: unknown chair {assignment.chair}")
    else:
        lacking = sorted(set(appointment.requires) - set(chair.features))
        if lacking:
            problems.append(f"{label}: chair {chair.id} lacks {', '.join(lacking)}")
    start, end = assignment.start, assignment.end
    if end != start + appointment.minutes:
        problems.append(
            f"{label}: ends {format_clock(end)}, its phases end {format_clock(start + appointment.minutes)}"
        )
    earliest = max(center.opens, appointment.earliest_start or 0)
    latest = min(center.closes, appointment.latest_end if appointment.latest_end is not None else 24 * 60)
    if start < earliest:
        problems.append(f"{label}: starts {format_clock(start)}, before {format_clock(earliest)}")
    if end > latest:
        problems.append(f"{label}: ends {format_clock(end)}, after {format_clock(latest)}")
    fixed = appointment.fixed
    if fixed is not None and fixed.start is not None and fixed.start != start:
        problems.append(f"{label}: fixed at {format_clock(fixed.start)}, starts {format_clock(start)}")
    if fixed is not None and fixed.chair is not None and fixed.chair != assignment.chair:
        problems.append(f"{label}: fixed to chair {fixed.chair}, placed in {assignment.chair}")
    problems += _check_tasks(day, appointment, assignment)
    return problems


def _check_tasks(day: Day, appointment: Appointment, assignment: Assignment) -> list[str]:
    label = f"appointment {appointment.id}"
    expected: list[tuple[str, int, int]] = []
    offset = assignment.start
    for phase in appointment.resolved_phases:
        if phase.nurse_minutes > 0:
            expected.append((phase.name, offset, offset + phase.nurse_minutes))
        offset += phase.minutes
    given = [(task.phase, task.start, task.end) for task in assignment.nurse_tasks]
    if given != expected:
        shown = ", ".join(f"{name} {format_clock(s)}-{format_clock(e)}" for name, s, e in expected)
        return [f"{label}: nurse tasks must be exactly [{shown}] in order"]
    nurses = {nurse.id: nurse for nurse in day.center.nurses}
    problems = []
    for task in assignment.nurse_tasks:
        nurse = nurses.get(task.nurse)
        if nurse is None:
            problems.append(f"{label}: unknown nurse {task.nurse}")
        elif task.start < nurse.shift_start or task.end > nurse.shift_end:
            problems.append(
                f"{label}: {task.phase} {format_clock(task.start)}-{format_clock(task.end)} is outside "
                f"nurse {nurse.id}'s shift {format_clock(nurse.shift_start)}-{format_clock(nurse.shift_end)}"
            )
    return problems


def _overlaps(spans: list[tuple[int, int, str]], what: str, holder: str) -> list[str]:
    problems = []
    latest_end, latest_label = -1, ""
    for start, end, label in sorted(spans):
        if start < latest_end:
            problems.append(f"{what} {holder}: {latest_label} and {label} overlap at {format_clock(start)}")
        if end > latest_end:
            latest_end, latest_label = end, label
    return problems


def _check_chairs_hold_one(assignments: list[Assignment]) -> list[str]:
    by_chair: dict[str, list[tuple[int, int, str]]] = {}
    for a in assignments:
        if a.end > a.start:
            by_chair.setdefault(a.chair, []).append((a.start, a.end, a.appointment))
    problems = []
    for chair, spans in sorted(by_chair.items()):
        problems += _overlaps(spans, "chair", chair)
    return problems


def _check_nurses_do_one_task(assignments: list[Assignment]) -> list[str]:
    by_nurse: dict[str, list[tuple[int, int, str]]] = {}
    for a in assignments:
        for task in a.nurse_tasks:
            by_nurse.setdefault(task.nurse, []).append((task.start, task.end, f"{a.appointment} {task.phase}"))
    problems = []
    for nurse, spans in sorted(by_nurse.items()):
        problems += _overlaps(spans, "nurse", nurse)
    return problems


def _check_nurse_ratio(day: Day, assignments: list[Assignment]) -> list[str]:
    return [
        f"at {format_clock(p.minute)}: {p.patients} patients in chairs, {p.nurses} nurses on shift allow {p.capacity}"
        for p in sweep(day.center, assignments)
        if p.over_capacity
    ]


def replan_violations(
    before: Schedule,
    after: Schedule,
    now: int,
    *,
    max_shift: int | None = None,
    movable: Collection[str] = (),
    dropped: Collection[str] = (),
) -> list[str]:
    """Every way a re-plan at `now` breaks the promises of the schedule in force (empty when none).

    A visit started before `now` stays, with its start and chair, and each of its nurse tasks that
    began before `now` keeps its nurse; nothing else starts before `now`; a promised start moves at
    most `max_shift` minutes (`None`: any amount) unless it is `movable`; a dropped appointment is not scheduled.
    """
    new = {a.appointment: a for a in after.assignments}
    old = {a.appointment: a for a in before.assignments}
    problems = []
    for identifier, a in old.items():
        b = new.get(identifier)
        if a.start < now:
            if b is None:
                problems.append(f"seated {identifier} was taken off the day")
                continue
            if (b.start, b.chair) != (a.start, a.chair):
                problems.append(
                    f"seated {identifier} moved from {a.chair} at {format_clock(a.start)} "
                    f"to {b.chair} at {format_clock(b.start)}"
                )
            for old_task, new_task in zip(a.nurse_tasks, b.nurse_tasks, strict=False):
                if old_task.start < now and old_task.nurse != new_task.nurse:
                    problems.append(
                        f"seated {identifier}: {old_task.phase} begun by {old_task.nurse} given to {new_task.nurse}"
                    )
        elif (
            b is not None and max_shift is not None and identifier not in movable and abs(b.start - a.start) > max_shift
        ):
            problems.append(
                f"{identifier}: promised {format_clock(a.start)}, moved to {format_clock(b.start)} "
                f"(more than {max_shift} min)"
            )
    for identifier, placed in new.items():
        if identifier in dropped:
            problems.append(f"{identifier} was dropped but is scheduled")
        promised = old.get(identifier)
        if placed.start < now and (promised is None or promised.start >= now):
            problems.append(f"{identifier} starts {format_clock(placed.start)}, before now ({format_clock(now)})")
    return problems
