"""The public entry of day scheduling: solve a day, validate the result, return the schedule.

Every schedule leaves this module only after :func:`check_schedule` has accepted it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from msinfusion.scheduling.day import Day, with_catalog_phases
from msinfusion.scheduling.greedy import greedy_placements
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Occupancy, Placement, to_assignment
from msinfusion.scheduling.reasons import unscheduled_reason
from msinfusion.scheduling.schedule import Bound, Schedule, SolverInfo, Unscheduled
from msinfusion.scheduling.validation import check_schedule, compute_objective

if TYPE_CHECKING:
    from msinfusion.scheduling.model import ProgressCallback

__all__ = ["SolverName", "solve"]

SolverName = Literal["cp-sat", "greedy"]


def _key(instance: Instance, placements: Sequence[Placement]) -> tuple[int, int]:
    # The format's lexicographic objective as one sortable key (larger is better).
    priority = deviation = 0
    for placement in placements:
        job = instance.jobs[placement.job]
        priority += job.priority
        if job.preferred is not None:
            deviation += abs(placement.start - job.preferred)
    return (priority, -deviation)


def _fill_gaps(instance: Instance, placements: Sequence[Placement]) -> Occupancy:
    """Book the placements, then add any left-out job that still fits (never makes a schedule worse)."""
    occupancy = Occupancy(instance)
    for placement in placements:
        occupancy.place(placement)
    for job in instance.jobs:
        if job.index not in occupancy.placements:
            occupancy.place_first_fit(job)
    return occupancy


def solve(
    day: Day,
    *,
    solver: SolverName = "cp-sat",
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
) -> Schedule:
    """Schedule a day with CP-SAT (default) or the greedy baseline, and return a validated schedule.

    Appointments without phases take theirs from the catalog. CP-SAT starts from the greedy schedule
    and never returns a worse one. `on_progress` (CP-SAT only) receives :class:`Progress` reports.
    """
    started = time.monotonic()
    day = with_catalog_phases(day)
    instance = Instance(day)
    greedy = greedy_placements(instance)
    bound: int | None = None
    if solver == "greedy":
        chosen = list(greedy)
        status: Literal["optimal", "feasible", "heuristic"] = "heuristic"
    else:
        from msinfusion.scheduling.model import solve_model

        remaining = max(0.1, time_limit - (time.monotonic() - started))
        result = solve_model(
            instance,
            greedy,
            time_limit=remaining,
            seed=seed,
            workers=workers,
            on_progress=on_progress,
        )
        chosen = result.placements if _key(instance, result.placements) >= _key(instance, greedy) else greedy
        bound = result.bound
        status = "optimal" if result.optimal and chosen is result.placements else "feasible"
    occupancy = _fill_gaps(instance, chosen)
    placements = sorted(occupancy.placements.values(), key=lambda p: p.job)
    if len(placements) > len(chosen):
        status = "feasible" if solver == "cp-sat" else status
    assignments = [to_assignment(instance, placement) for placement in placements]
    unscheduled = [
        Unscheduled(appointment=job.id, reason=unscheduled_reason(instance, job, occupancy))
        for job in instance.jobs
        if job.index not in occupancy.placements
    ]
    objective = compute_objective(day, assignments)
    fields: dict[str, object] = {}
    if bound is not None:
        fields["bound"] = Bound(scheduled_priority=bound)
    schedule = Schedule(
        center=day.center.name,
        date=day.center.date,
        assignments=assignments,
        unscheduled=unscheduled,
        objective=objective,
        solver=SolverInfo(name=solver, status=status, seconds=round(time.monotonic() - started, 2)),
        **fields,
    )
    check_schedule(day, schedule)
    return schedule
