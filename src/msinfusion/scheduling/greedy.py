"""The baseline: first come, first served by preferred time, the way most centers book today.

Appointments already promised (`fixed`) go in first; then the rest in order of preferred start (or
earliest start when there is no preference), each at the free start closest to its preference.
"""

from __future__ import annotations

from msinfusion.scheduling.instance import Instance, Job
from msinfusion.scheduling.placement import Occupancy, Placement

__all__ = ["booking_order", "greedy_placements"]


def booking_order(instance: Instance) -> list[Job]:
    """Fixed appointments first, then by preferred (else earliest) start, then as listed."""

    def key(job: Job) -> tuple[int, int, int]:
        wanted = job.preferred if job.preferred is not None else job.lo
        fixed = 0 if job.fixed_start is not None or job.fixed_chair is not None else 1
        return (fixed, wanted, job.index)

    return sorted(instance.jobs, key=key)


def greedy_placements(instance: Instance) -> list[Placement]:
    """Book every job in :func:`booking_order` at its best free start; jobs that fit nowhere are left out."""
    occupancy = Occupancy(instance)
    for job in booking_order(instance):
        occupancy.place_first_fit(job)
    return sorted(occupancy.placements.values(), key=lambda p: p.job)
