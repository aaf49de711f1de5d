"""The CP-SAT model of a day: the rules, the lexicographic objective, and a two-phase solve.

Phase 1 maximises the scheduled priority and proves a bound on it. Phase 2 keeps that priority and
minimises the total deviation from preferred starts. Both phases start from a complete hint (the
greedy baseline, then phase 1's best), so a valid schedule exists from the first second.

Determinism: `random_seed` is the caller's seed and the search is interleaved
(`interleave_search`), so for one input, seed and worker count the solver follows the same path
whatever the thread timing; only where a wall-clock limit cuts that path can differ.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from msinfusion.scheduling.bounds import lp_bound
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Placement, seat_in_groups
from msinfusion.scheduling.rules import RULES, Rule
from msinfusion.scheduling.variables import DayVariables

__all__ = ["DayModel", "ModelResult", "Progress", "solve_model"]

LP_SHARE = 0.3
"""Share of the time limit the LP bound may take."""
LP_MAX_JOBS = 100
"""Above this many appointments GLOP rarely proves its bound within its share; CP-SAT bounds alone."""


@dataclass(frozen=True)
class Progress:
    """A progress report: the best scheduled priority so far, the proven bound, seconds elapsed."""

    phase: int
    best_priority: int | None
    bound: int | None
    deviation: int | None
    elapsed: float


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class ModelResult:
    """What CP-SAT found: placements (empty if nothing), the bound on priority, and whether proven."""

    placements: list[Placement]
    bound: int
    optimal: bool
    first_solution_seconds: float | None


class DayModel:
    """A CP-SAT model of an instance with the given rules (all of them by default)."""

    def __init__(self, instance: Instance, rules: Sequence[Rule] = RULES) -> None:
        self.instance = instance
        self.model = cp_model.CpModel()
        self.variables = DayVariables(self.model, instance)
        for rule in rules:
            rule(self.variables)
        self.priority = sum(
            job.priority * job_vars.present for job, job_vars in zip(instance.jobs, self.variables.jobs, strict=True)
        )
        self.deviations: list[cp_model.IntVar] = []
        self._deviation_of: dict[int, cp_model.IntVar] = {}
        for job, job_vars in zip(instance.jobs, self.variables.jobs, strict=True):
            if job.preferred is None:
                continue
            span = instance.horizon + abs(job.preferred) + 1
            deviation = self.model.new_int_var(0, span, f"{job.id}.deviation")
            present = job_vars.present
            self.model.add(deviation >= job_vars.start - job.preferred).only_enforce_if(present)
            self.model.add(deviation >= job.preferred - job_vars.start).only_enforce_if(present)
            self.model.add(deviation == 0).only_enforce_if(present.Not())
            self.deviations.append(deviation)
            self._deviation_of[job.index] = deviation

    def hint(self, placements: Sequence[Placement]) -> None:
        """Hint a complete solution given as placements (others unscheduled)."""
        model, instance = self.model, self.instance
        model.clear_hints()  # type: ignore[no-untyped-call]
        chair_group = {chair: group.index for group in instance.chair_groups for chair in group.chairs}
        nurse_group = {nurse: group.index for group in instance.nurse_groups for nurse in group.nurses}
        by_job = {placement.job: placement for placement in placements}
        for job, job_vars in zip(instance.jobs, self.variables.jobs, strict=True):
            placement = by_job.get(job.index)
            model.add_hint(job_vars.present, placement is not None)
            start = placement.start if placement is not None else max(0, min(job.lo, instance.horizon))
            model.add_hint(job_vars.start, start)
            for group, chosen in job_vars.chair.items():
                model.add_hint(chosen, placement is not None and chair_group[placement.chair] == group)
            for number, chosen_nurse in enumerate(job_vars.nurse):
                for group, chosen in chosen_nurse.items():
                    model.add_hint(chosen, placement is not None and nurse_group[placement.nurses[number]] == group)
            if job.index in self._deviation_of:
                deviation = 0 if placement is None or job.preferred is None else abs(start - job.preferred)
                model.add_hint(self._deviation_of[job.index], deviation)

    def placements(self, solver: cp_model.CpSolver | _Callback) -> list[Placement]:
        """Read the current solution and give out concrete chairs and nurses."""
        value = solver.value
        starts: dict[int, int] = {}
        chair_group: dict[int, int] = {}
        nurse_group: dict[tuple[int, int], int] = {}
        for job, job_vars in zip(self.instance.jobs, self.variables.jobs, strict=True):
            if not value(job_vars.present):
                continue
            starts[job.index] = int(value(job_vars.start))
            chair_group[job.index] = next(g for g, chosen in job_vars.chair.items() if value(chosen))
            for number, chosen_nurse in enumerate(job_vars.nurse):
                nurse_group[(job.index, number)] = next(g for g, chosen in chosen_nurse.items() if value(chosen))
        return seat_in_groups(self.instance, starts, chair_group, nurse_group)


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, phase: int, started: float, on_progress: ProgressCallback | None, deviation: bool) -> None:
        super().__init__()
        self.phase = phase
        self.started = started
        self.on_progress = on_progress
        self.deviation = deviation
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.started
        if self.first is None:
            self.first = now
        if self.on_progress is None:
            return
        objective = round(self.objective_value)
        bound = math.floor(self.best_objective_bound + 1e-6)
        if self.deviation:
            self.on_progress(Progress(self.phase, None, None, objective, now))
        else:
            self.on_progress(Progress(self.phase, objective, bound, None, now))


def _solver(seconds: float, seed: int, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.max_time_in_seconds = max(0.05, seconds)
    parameters.random_seed = seed
    parameters.num_workers = workers
    parameters.interleave_search = True
    return solver


def solve_model(
    instance: Instance,
    hint: Sequence[Placement],
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
    priority_share: float = 0.7,
) -> ModelResult:
    """Solve both phases within `time_limit` seconds, starting from the hinted placements."""
    started = time.monotonic()
    day_model = DayModel(instance)
    model = day_model.model
    lp = lp_bound(instance, time_limit * LP_SHARE) if len(instance.jobs) <= LP_MAX_JOBS else None
    if lp is not None:
        # A proven bound stated as a constraint lets CP-SAT stop as soon as a schedule reaches it.
        model.add(day_model.priority <= lp)
    day_model.hint(hint)
    model.maximize(day_model.priority)
    solver = _solver(time_limit * priority_share, seed, workers)
    callback = _Callback(1, started, on_progress, deviation=False)
    status = solver.solve(model, callback)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = math.floor(solver.best_objective_bound + 1e-6) if status == cp_model.UNKNOWN else 0
        return ModelResult([], bound if status == cp_model.UNKNOWN else 0, False, None)
    first = callback.first
    best = round(solver.objective_value)
    bound = math.floor(solver.best_objective_bound + 1e-6)
    proven = status == cp_model.OPTIMAL
    placements = day_model.placements(solver)
    if on_progress is not None:
        on_progress(Progress(1, best, bound, None, time.monotonic() - started))
    if not day_model.deviations:
        return ModelResult(placements, bound, proven, first)
    remaining = time_limit - (time.monotonic() - started)
    if remaining <= 0.05:
        return ModelResult(placements, bound, False, first)
    # Phase 2: keep the priority found, spend what is left on preferences.
    model.add(day_model.priority >= best)
    model.minimize(sum(day_model.deviations))
    day_model.hint(placements)
    solver = _solver(remaining, seed, workers)
    callback = _Callback(2, started, on_progress, deviation=True)
    status = solver.solve(model, callback)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placements = day_model.placements(solver)
    return ModelResult(placements, bound, proven and status == cp_model.OPTIMAL, first)
