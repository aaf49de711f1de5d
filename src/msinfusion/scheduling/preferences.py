"""Moving scheduled visits toward their preferred starts without losing any: a deterministic local search.

It polishes a schedule before (as CP-SAT's hint) and after the preference stage, and never makes the
total deviation worse or unschedules anything. Two moves, repeated while they help:

* **exchange within a class**: interchangeable visits (`symmetry.job_classes`) can trade places, so
  the places the class's visits with a preference hold are given to them in the order of their
  preferred starts (sorted matching minimises the sum of |start - preferred| over the class);
* **re-insertion**: a visit is taken out and put back at the free start closest to its preference,
  if that is closer than where it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Occupancy, Placement
from msinfusion.scheduling.symmetry import job_classes

__all__ = ["deviation", "polish"]

MAX_PASSES = 5


def deviation(instance: Instance, placements: Sequence[Placement]) -> int:
    """Total |start - preferred| over placements with a preference, in grid units."""
    total = 0
    for placement in placements:
        preferred = instance.jobs[placement.job].preferred
        if preferred is not None:
            total += abs(placement.start - preferred)
    return total


def polish(instance: Instance, placements: Sequence[Placement]) -> list[Placement]:
    """The same visits, each at a start at least as close to its preference (see the module docstring)."""
    current = {p.job: p for p in placements}
    for _ in range(MAX_PASSES):
        before = deviation(instance, list(current.values()))
        current = _exchange(instance, current)
        current = _reinsert(instance, current)
        if deviation(instance, list(current.values())) >= before:
            break
    return sorted(current.values(), key=lambda p: p.job)


def _exchange(instance: Instance, current: dict[int, Placement]) -> dict[int, Placement]:
    result = dict(current)
    for members in job_classes(instance):
        wanting = [job for job in members if job.preferred is not None and job.index in current]
        if len(wanting) < 2:
            continue
        spots = sorted((current[job.index] for job in wanting), key=lambda p: (p.start, p.job))
        ordered = sorted(wanting, key=lambda job: (job.preferred, job.index))
        for job, spot in zip(ordered, spots, strict=True):
            result[job.index] = replace(spot, job=job.index)
    return result


def _reinsert(instance: Instance, current: dict[int, Placement]) -> dict[int, Placement]:
    occupancy = Occupancy(instance)
    for placement in current.values():
        occupancy.place(placement)
    jobs = [instance.jobs[j] for j in current if instance.jobs[j].preferred is not None]
    jobs.sort(key=lambda job: (-abs(current[job.index].start - (job.preferred or 0)), job.index))
    for job in jobs:
        placement = occupancy.placements[job.index]
        preferred = job.preferred
        assert preferred is not None
        now = abs(placement.start - preferred)
        if now == 0:
            continue
        occupancy.remove(placement)
        better = None
        for start in occupancy.starts(job):
            if abs(start - preferred) >= now:
                break
            found = occupancy.try_place(job, start)
            if isinstance(found, Placement):
                better = found
                break
        occupancy.place(better or placement)
    return dict(occupancy.placements)
