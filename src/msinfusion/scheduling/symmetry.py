"""Interchangeable appointments: jobs that differ only in their preferred start.

For the scheduled priority (the first objective) two jobs with the same visit, window, priority,
required features and fixed start or chair are interchangeable: swapping them in any schedule gives
another schedule with the same priority. A generated day has few such classes (natalizumab
maintenance visits alone are a third of a day), so the priority search can

* count how many jobs of a class start in each unit instead of choosing jobs (the time-indexed
  relaxation in `bounds.py`), and
* break the symmetry in the CP-SAT model: within a class the scheduled jobs are the first ones, in
  order of start (`canonical` rewrites a schedule into that form).

Preferences are not part of the key: the second objective tells the members of a class apart again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from msinfusion.scheduling.instance import Instance, Job
from msinfusion.scheduling.placement import Placement

__all__ = ["canonical", "job_classes"]


def _key(job: Job) -> tuple[object, ...]:
    return (job.duration, job.tasks, job.lo, job.hi, job.priority, job.requires, job.fixed_start, job.fixed_chair)


def job_classes(instance: Instance) -> list[list[Job]]:
    """The jobs grouped into classes of interchangeable ones, each in index order (singletons included)."""
    classes: dict[tuple[object, ...], list[Job]] = {}
    for job in instance.jobs:
        classes.setdefault(_key(job), []).append(job)
    return list(classes.values())


def canonical(instance: Instance, placements: Sequence[Placement]) -> list[Placement]:
    """The same schedule with each class's placements moved to its first jobs, in order of start.

    Chairs and nurses travel with the start, so the result is valid whenever the input is.
    """
    by_job = {placement.job: placement for placement in placements}
    result: list[Placement] = []
    for members in job_classes(instance):
        taken = sorted(
            (by_job[job.index] for job in members if job.index in by_job),
            key=lambda p: (p.start, p.job),
        )
        result.extend(replace(placement, job=job.index) for job, placement in zip(members, taken, strict=False))
    return sorted(result, key=lambda p: p.job)
