"""Why an appointment could not be placed, in words a scheduler can act on.

Reasons are worked out from the day and the final schedule, not from the solver: first what makes the
appointment impossible on this day at all (window, features, shifts), then which resource is taken at
every start of its window once the others are placed.
"""

from __future__ import annotations

from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.instance import Instance, Job
from msinfusion.scheduling.placement import Blocker, Occupancy

__all__ = ["unscheduled_reason"]


def _clock(instance: Instance, units: int) -> str:
    return format_clock(instance.to_minutes(units))


def _minutes(instance: Instance, units: int) -> int:
    return units * instance.unit


def unscheduled_reason(instance: Instance, job: Job, occupancy: Occupancy) -> str:
    """A one-line reason for leaving `job` out of the schedule held by `occupancy`."""
    return _impossible(instance, job, occupancy) or _crowded(instance, job, occupancy)


def _impossible(instance: Instance, job: Job, occupancy: Occupancy) -> str | None:
    window_end = job.hi + job.duration
    window = f"{_clock(instance, job.lo)}-{_clock(instance, window_end)}"
    if job.lo > job.hi:
        return (
            f"its window {window} inside opening hours is {_minutes(instance, max(0, window_end - job.lo))} min,"
            f" shorter than its {_minutes(instance, job.duration)}-min visit; widen the window or book another day"
        )
    if job.fixed_start is not None and not job.lo <= job.fixed_start <= job.hi:
        return (
            f"its fixed start {_clock(instance, job.fixed_start)} does not fit its window {window} for a "
            f"{_minutes(instance, job.duration)}-min visit; change the fixed start or the window"
        )
    needs = ", ".join(sorted(job.requires))
    if not occupancy.eligible_chairs(job):
        if job.fixed_chair is not None:
            return f"its fixed chair {job.fixed_chair} lacks {needs}; fix it to a chair with {needs}"
        return f"no chair in the center has {needs}; book it where there is one"
    starts = occupancy.starts(job)
    for task in job.tasks:
        if not any(
            group.start <= s + task.offset and s + task.offset + task.length <= group.end
            for s in starts
            for group in instance.nurse_groups
        ):
            return (
                f"no nurse is on shift for its {task.phase} at any start in {window}; extend a shift or move its window"
            )
    capacity = instance.patient_capacity
    if not any(all(capacity[t] > 0 for t in range(s, s + job.duration)) for s in starts):
        return f"nurses are not on shift for its whole visit at any start in {window}; extend a shift"
    return None


def _crowded(instance: Instance, job: Job, occupancy: Occupancy) -> str:
    starts = occupancy.starts(job)
    window = f"{_clock(instance, job.lo)}-{_clock(instance, job.hi + job.duration)}"
    blockers = []
    for s in starts:
        found = occupancy.try_place(job, s)
        if not isinstance(found, Blocker):
            return (
                f"it fits at {_clock(instance, s)} but was not placed within the time limit; "
                "solve again with a longer time limit"
            )
        blockers.append((s, found))
    chair_kind = f"{', '.join(sorted(job.requires))} chair" if job.requires else "chair"
    if job.fixed_chair is not None:
        chair_kind = f"chair {job.fixed_chair}"
    visit = f"its {_minutes(instance, job.duration)}-min visit"
    if all(b.chair for _, b in blockers):
        where = f"at {window[:5]}" if job.fixed_start is not None else f"within {window}"
        return (
            f"no {chair_kind} is free for {visit} {where}; "
            "move it to another day, widen its window or shorten a competing visit"
        )
    # Chairs are free somewhere: nurses are the bottleneck.
    seated = [(s, b) for s, b in blockers if not b.chair]
    ratio_only = [s for s, b in seated if b.ratio and b.nurse_task is None]
    task_only = [(s, b.nurse_task) for s, b in seated if b.nurse_task is not None and not b.ratio]
    if task_only:
        s, phase = task_only[0]
        return (
            f"a chair is free at {_clock(instance, s)} but every nurse on shift is busy during its {phase}; "
            "add a nurse at that time or move it to another day"
        )
    if ratio_only:
        s = ratio_only[0]
        return (
            f"a chair is free at {_clock(instance, s)} but the nurses on shift already watch "
            f"{instance.ratio} patients each; add a nurse for {visit} or move it to another day"
        )
    s, blocker = seated[0]
    return (
        f"a chair is free at {_clock(instance, s)} but nurses are short there (ratio full and no nurse "
        f"for its {blocker.nurse_task}); add a nurse or move it to another day"
    )
