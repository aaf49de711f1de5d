"""Why an appointment could not be placed, in words a scheduler can act on.

Reasons are worked out from the day and the final schedule, not from the solver: first what makes the
appointment impossible on this day at all (window, features, shifts), then which resource is taken at
every start of its window once the others are placed.
"""

from __future__ import annotations

from msinfusion.i18n import N_, Message
from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.instance import Instance, Job
from msinfusion.scheduling.placement import Blocker, Occupancy

__all__ = ["unscheduled_reason"]


def _clock(instance: Instance, units: int) -> str:
    return format_clock(instance.to_minutes(units))


def _minutes(instance: Instance, units: int) -> int:
    return units * instance.unit


def unscheduled_reason(instance: Instance, job: Job, occupancy: Occupancy) -> Message:
    """A one-line reason for leaving `job` out of the schedule held by `occupancy`."""
    return _impossible(instance, job, occupancy) or _crowded(instance, job, occupancy)


def _impossible(instance: Instance, job: Job, occupancy: Occupancy) -> Message | None:
    window_end = job.hi + job.duration
    window = f"{_clock(instance, job.lo)}-{_clock(instance, window_end)}"
    if job.lo > job.hi:
        return Message(
            N_(
                "its window {window} inside opening hours is {available} min, shorter than its {minutes}-min visit; "
                "widen the window or book another day"
            ),
            window=window,
            available=_minutes(instance, max(0, window_end - job.lo)),
            minutes=_minutes(instance, job.duration),
        )
    if job.fixed_start is not None and not job.lo <= job.fixed_start <= job.hi:
        return Message(
            N_(
                "its fixed start {start} does not fit its window {window} for a {minutes}-min visit; "
                "change the fixed start or the window"
            ),
            start=_clock(instance, job.fixed_start),
            window=window,
            minutes=_minutes(instance, job.duration),
        )
    needs = ", ".join(sorted(job.requires))
    if not occupancy.eligible_chairs(job):
        if job.fixed_chair is not None:
            return Message(
                N_("its fixed chair {chair} lacks {needs}; fix it to a chair with {needs}"),
                chair=job.fixed_chair,
                needs=needs,
            )
        return Message(N_("no chair in the center has {needs}; book it where there is one"), needs=needs)
    starts = occupancy.starts(job)
    for task in job.tasks:
        if not any(
            group.start <= s + task.offset and s + task.offset + task.length <= group.end
            for s in starts
            for group in instance.nurse_groups
        ):
            return Message(
                N_("no nurse is on shift for its {phase} at any start in {window}; extend a shift or move its window"),
                phase=task.phase,
                window=window,
            )
    capacity = instance.patient_capacity
    if not any(all(capacity[t] > 0 for t in range(s, s + job.duration)) for s in starts):
        return Message(
            N_("nurses are not on shift for its whole visit at any start in {window}; extend a shift"), window=window
        )
    return None


def _crowded(instance: Instance, job: Job, occupancy: Occupancy) -> Message:
    starts = occupancy.starts(job)
    window = f"{_clock(instance, job.lo)}-{_clock(instance, job.hi + job.duration)}"
    blockers = []
    for s in starts:
        found = occupancy.try_place(job, s)
        if not isinstance(found, Blocker):
            return Message(
                N_("it fits at {start} but was not placed within the time limit; solve again with a longer time limit"),
                start=_clock(instance, s),
            )
        blockers.append((s, found))
    minutes = _minutes(instance, job.duration)
    if all(b.chair for _, b in blockers):
        return _no_chair(job, minutes, window)
    # Chairs are free somewhere: nurses are the bottleneck.
    seated = [(s, b) for s, b in blockers if not b.chair]
    ratio_only = [s for s, b in seated if b.ratio and b.nurse_task is None]
    task_only = [(s, b.nurse_task) for s, b in seated if b.nurse_task is not None and not b.ratio]
    if task_only:
        s, phase = task_only[0]
        return Message(
            N_(
                "a chair is free at {start} but every nurse on shift is busy during its {phase}; "
                "add a nurse at that time or move it to another day"
            ),
            start=_clock(instance, s),
            phase=phase,
        )
    if ratio_only:
        s = ratio_only[0]
        return Message(
            N_(
                "a chair is free at {start} but the nurses on shift already watch {ratio} patients each; "
                "add a nurse for its {minutes}-min visit or move it to another day"
            ),
            start=_clock(instance, s),
            ratio=instance.ratio,
            minutes=minutes,
        )
    s, blocker = seated[0]
    return Message(
        N_(
            "a chair is free at {start} but nurses are short there (ratio full and no nurse for its {phase}); "
            "add a nurse or move it to another day"
        ),
        start=_clock(instance, s),
        phase=blocker.nurse_task,
    )


_NO_CHAIR = {
    ("any", "at"): N_(
        "no chair is free for its {minutes}-min visit at {start}; "
        "move it to another day, widen its window or shorten a competing visit"
    ),
    ("any", "within"): N_(
        "no chair is free for its {minutes}-min visit within {window}; "
        "move it to another day, widen its window or shorten a competing visit"
    ),
    ("kind", "at"): N_(
        "no {needs} chair is free for its {minutes}-min visit at {start}; "
        "move it to another day, widen its window or shorten a competing visit"
    ),
    ("kind", "within"): N_(
        "no {needs} chair is free for its {minutes}-min visit within {window}; "
        "move it to another day, widen its window or shorten a competing visit"
    ),
    ("fixed", "at"): N_(
        "no chair {chair} is free for its {minutes}-min visit at {start}; "
        "move it to another day, widen its window or shorten a competing visit"
    ),
    ("fixed", "within"): N_(
        "no chair {chair} is free for its {minutes}-min visit within {window}; "
        "move it to another day, widen its window or shorten a competing visit"
    ),
}


def _no_chair(job: Job, minutes: int, window: str) -> Message:
    """No chair of the kind it needs is free at any start (the wording of the original one-liner)."""
    chair = "fixed" if job.fixed_chair is not None else "kind" if job.requires else "any"
    where = "at" if job.fixed_start is not None else "within"
    values: dict[str, object] = {"minutes": minutes, "start": window[:5], "window": window}
    values |= {"needs": ", ".join(sorted(job.requires)), "chair": job.fixed_chair}
    text = _NO_CHAIR[chair, where]
    used = {name: value for name, value in values.items() if "{" + name + "}" in text}
    return Message(text, **used)
