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
from msinfusion.scheduling.levelling import level_nurses
from msinfusion.scheduling.placement import Occupancy, Placement, to_assignment
from msinfusion.scheduling.reasons import unscheduled_reason
from msinfusion.scheduling.schedule import Bound, Schedule, SolverInfo, Unscheduled
from msinfusion.scheduling.stopping import StopSignal, watching
from msinfusion.scheduling.validation import check_schedule, compute_objective

if TYPE_CHECKING:
    from msinfusion.scheduling.model import ProgressCallback

__all__ = ["SearchMode", "SolverName", "solve"]

SolverName = Literal["cp-sat", "greedy"]
SearchMode = Literal["deterministic", "anytime"]
"""How CP-SAT searches: reproducible for one input, seed, time limit and workers (the default), or
anytime, using the whole time limit with wall-clock searches (`model.py`, "Search modes")."""


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


def _schedule(
    instance: Instance,
    placements: Sequence[Placement],
    *,
    solver: SolverName,
    status: Literal["optimal", "feasible", "heuristic"],
    started: float,
    bound: int | None,
    level: bool = False,
    continuity: bool = False,
) -> Schedule:
    """The validated schedule of some placements, with any left-out job that still fits added (and,
    with `level`, the nurses' load levelled: `levelling.level_nurses`)."""
    day = instance.day
    occupancy = _fill_gaps(instance, placements)
    filled = sorted(occupancy.placements.values(), key=lambda p: p.job)
    if level:
        filled = level_nurses(instance, filled, continuity=continuity)
    if len(filled) > len(placements) and status == "optimal":
        status = "feasible"
    assignments = [to_assignment(instance, placement) for placement in filled]
    unscheduled = [
        Unscheduled(appointment=job.id, reason=unscheduled_reason(instance, job, occupancy))
        for job in instance.jobs
        if job.index not in occupancy.placements
    ]
    fields: dict[str, object] = {}
    if bound is not None:
        fields["bound"] = Bound(scheduled_priority=bound)
    schedule = Schedule(
        center=day.center.name,
        date=day.center.date,
        assignments=assignments,
        unscheduled=unscheduled,
        objective=compute_objective(day, assignments),
        solver=SolverInfo(name=solver, status=status, seconds=round(time.monotonic() - started, 2)),
        **fields,
    )
    check_schedule(day, schedule)
    return schedule


def solve(
    day: Day,
    *,
    solver: SolverName = "cp-sat",
    time_limit: float = 10.0,
    seed: int = 0,
    workers: int = 2,
    continuity: bool = False,
    on_progress: ProgressCallback | None = None,
    search: SearchMode = "deterministic",
    stop: StopSignal | None = None,
) -> Schedule:
    """Schedule a day with CP-SAT (default) or the greedy baseline, and return a validated schedule.

    Appointments without phases take theirs from the catalog. CP-SAT starts from the greedy schedule
    and never returns a worse one. `on_progress` (CP-SAT only) receives :class:`Progress` reports,
    the first of them (phase 0) with the validated greedy schedule before any search starts.
    After priority and preferences, CP-SAT's schedule has its nurses' task minutes levelled, with
    `continuity` keeping one nurse for all of a visit's tasks where possible (a center setting).
    `search` picks the deterministic (default) or the anytime search (:data:`SearchMode`).
    `stop`, stopped from another thread (:class:`~msinfusion.scheduling.stopping.StopSignal`), ends the
    current search at once and the later ones as they begin: the solve then returns the best validated
    schedule found so far (never worse than the greedy one), within about a second on a day of 30 visits.
    """
    started = time.monotonic()
    day = with_catalog_phases(day)
    instance = Instance(day)
    greedy = greedy_placements(instance)
    if solver == "greedy":
        return _schedule(instance, greedy, solver="greedy", status="heuristic", started=started, bound=None)
    from msinfusion.scheduling.model import Progress, solve_model

    if on_progress is not None:
        first = _schedule(instance, greedy, solver="greedy", status="heuristic", started=started, bound=None)
        elapsed = time.monotonic() - started
        on_progress(Progress(0, first.objective.scheduled_priority, None, None, elapsed, schedule=first))
    remaining = max(0.1, time_limit - (time.monotonic() - started))
    with watching(stop):
        result = solve_model(
            instance, greedy, time_limit=remaining, seed=seed, workers=workers, on_progress=on_progress, search=search
        )
    better = _key(instance, result.placements) >= _key(instance, greedy)
    chosen = result.placements if better else greedy
    status: Literal["optimal", "feasible"] = "optimal" if result.optimal and better else "feasible"
    return _schedule(
        instance,
        chosen,
        solver="cp-sat",
        status=status,
        started=started,
        bound=result.bound,
        level=True,
        continuity=continuity,
    )
