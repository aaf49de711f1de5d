"""The preference stage's first move: a time-indexed relaxation for the deviation, then its starts checked.

The exact interval model finds good deviations slowly: a plain re-solve (the priority fixed, the
deviation minimised from scratch) spends its seconds improving one start at a time. The time-indexed
model of `bounds.deviation_bound` has an LP almost as good as its integer optimum on these days (LP
570 against 615 proven on the 30-visit benchmark day, 1730 against 1760 on 60), so CP-SAT's search on
it, with the LP at every node, gets close to the best deviation within a few deterministic units. As
with the priority relaxation (`bounds.py`), its solution is a set of starts that the exact model then
checks, giving out chairs and nurses with every start fixed; on the benchmark days they were always a
schedule.

One boolean per job and allowed start (`bounds.allowed_starts`; no class counts: preferences tell
interchangeable jobs apart), at most one start per job, the scheduled priority kept, and the rows of
the priority relaxation (patients, feature sets, pinned chairs, nurse tasks per grid unit). Every
schedule of that priority is a solution, so a proven optimum that the exact model accepts is the best
deviation. Solved on one worker under a deterministic limit, without CP-SAT's presolve (on 30-60 visits
its big-linear-overlap step alone took most of a unit and the search found the good schedules later).
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from msinfusion.scheduling.bounds import Row, allowed_starts, row_limit, rows_of
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Placement
from msinfusion.scheduling.stopping import carried, register

__all__ = ["Beside", "PreferenceRelaxation", "realize", "relax_preferences"]

REALIZE_DETERMINISTIC = 1.0
"""Deterministic time for checking the relaxation's starts on the exact model (a few hundredths used)."""
REPAIR_DETERMINISTIC = 1.0
"""Deterministic time for `repair` (45 visits: a schedule of 1495 min from starts of 1460)."""
WALL_SHARE = 0.8
"""Share of the wall time to its deadline the relaxation's search may take when its wall cap binds."""


@dataclass(frozen=True)
class PreferenceRelaxation:
    """The checked schedule (None if the relaxation found none better than its hint or the exact model
    refused its starts), a proven lower bound on the deviation (grid units, 0 if none) at the priority
    `priority_bound`, a proven upper bound on the priority (None if not asked for: then the priority
    of the hint was kept), and the deterministic time spent."""

    placements: list[Placement] | None
    bound: int
    deterministic_time: float
    priority_bound: int | None = None


def relax_preferences(
    instance: Instance,
    placements: Sequence[Placement],
    *,
    deterministic: float,
    deadline: float,
    seed: int = 0,
    lexicographic: bool = False,
) -> PreferenceRelaxation:
    """Solve the relaxation at the priority of `placements` (hinted with them), and check its starts,
    all by `deadline` (`time.monotonic()`) as a cap.

    With `lexicographic` the priority is not kept but maximised first: the objective is
    `priority x W - deviation` with `W` above any total deviation, so one solve bounds both."""
    model = cp_model.CpModel()
    feature_sets = {job.requires for job in instance.jobs if job.requires}
    rows: dict[Row, list[cp_model.IntVar]] = defaultdict(list)
    start_of = {placement.job: placement.start for placement in placements}
    chosen: dict[int, dict[int, cp_model.IntVar]] = {}
    reached = []
    cost = []
    for job in instance.jobs:
        starts = {s: model.new_bool_var(f"{job.id}@{s}") for s in allowed_starts(instance, job)}
        chosen[job.index] = starts
        if not starts:
            continue
        model.add_at_most_one(starts.values())
        for s, variable in starts.items():
            model.add_hint(variable, start_of.get(job.index) == s)
            reached.append(job.priority * variable)
            if job.preferred is not None and s != job.preferred:
                cost.append(abs(s - job.preferred) * variable)
            for row in rows_of(instance, job, s, feature_sets):
                rows[row].append(variable)
    for row, terms in rows.items():
        limit = row_limit(instance, row)
        if len(terms) > limit:
            model.add(sum(terms) <= limit)
    weight = sum(instance.horizon + abs(job.preferred) + 1 for job in instance.jobs if job.preferred is not None) + 1
    if lexicographic:
        model.maximize(weight * sum(reached) - sum(cost))
    else:
        priority = sum(instance.jobs[placement.job].priority for placement in placements)
        model.add(sum(reached) >= priority)
        model.minimize(sum(cost))
    solver = register(cp_model.CpSolver())
    parameters = solver.parameters
    parameters.num_workers = 1
    parameters.random_seed = seed
    parameters.cp_model_presolve = False
    parameters.linearization_level = 2
    parameters.max_deterministic_time = max(0.05, deterministic)
    # (Its wall cap leaves the checking of its starts, and a repair, some of the time.)
    parameters.max_time_in_seconds = max(0.05, WALL_SHARE * (deadline - time.monotonic()))
    status = solver.solve(model)
    spent = solver.deterministic_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PreferenceRelaxation(None, 0, spent)
    priority_bound = None
    if math.isinf(solver.best_objective_bound):
        bound = 0
    elif not lexicographic:
        bound = max(0, math.ceil(solver.best_objective_bound - 1e-6))
    else:
        # weight x priority - deviation <= most, with 0 <= deviation < weight: the priority is at
        # most ceil(most / weight), and a schedule of that priority deviates by at least the rest.
        most = math.floor(solver.best_objective_bound + 1e-6)
        priority_bound = -(-most // weight)
        found = -(-round(solver.objective_value) // weight)  # the solution's priority
        bound = max(0, weight * found - most) if found == priority_bound else 0
    picked = {job: s for job, options in chosen.items() for s, variable in options.items() if solver.value(variable)}
    if picked == start_of:
        return PreferenceRelaxation(None, bound, spent, priority_bound)
    realized, checked = realize(instance, picked, seconds=deadline - time.monotonic(), seed=seed)
    if realized is None and not lexicographic:
        realized, repaired = repair(instance, picked, priority, seconds=deadline - time.monotonic(), seed=seed)
        checked += repaired
    return PreferenceRelaxation(realized, bound, spent + checked, priority_bound)


def repair(
    instance: Instance, starts: dict[int, int], priority: int, *, seconds: float, seed: int
) -> tuple[list[Placement] | None, float]:
    """When the exact model refuses the relaxation's starts: the exact model at `priority` minimising
    the deviation, with those starts as its hint (CP-SAT repairs the hint within `REPAIR_DETERMINISTIC`;
    45-visit benchmark day: the relaxation's 1460 min were no schedule)."""
    from msinfusion.scheduling.model import DayModel

    day_model = DayModel(instance)
    model = day_model.model
    model.add(day_model.priority >= priority)
    model.minimize(sum(day_model.deviations))
    for job, job_vars in zip(instance.jobs, day_model.variables.jobs, strict=True):
        model.add_hint(job_vars.present, job.index in starts)
        if job.index in starts:
            model.add_hint(job_vars.start, starts[job.index])
    solver = register(cp_model.CpSolver())
    parameters = solver.parameters
    parameters.num_workers = 1
    parameters.random_seed = seed
    parameters.repair_hint = True
    parameters.max_deterministic_time = REPAIR_DETERMINISTIC
    parameters.max_time_in_seconds = max(0.05, seconds)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time
    return day_model.placements(solver), solver.deterministic_time


class Beside:
    """`relax_preferences(..., lexicographic=True)` on a thread of its own (one CP-SAT worker, its
    own deterministic budget, so its result does not depend on what runs beside it)."""

    def __init__(
        self, instance: Instance, placements: Sequence[Placement], *, deterministic: float, deadline: float, seed: int
    ) -> None:
        self.result: PreferenceRelaxation | None = None

        def run() -> None:
            self.result = relax_preferences(
                instance, placements, deterministic=deterministic, deadline=deadline, seed=seed, lexicographic=True
            )

        self.thread = threading.Thread(target=carried(run), daemon=True)
        self.thread.start()

    def join(self) -> PreferenceRelaxation | None:
        self.thread.join()
        return self.result


def realize(
    instance: Instance, starts: dict[int, int], *, seconds: float, seed: int
) -> tuple[list[Placement] | None, float]:
    """The starts as a schedule of the exact model (None if they are not one), and the deterministic
    time spent finding out: CP-SAT gives out chairs and nurses with every start fixed."""
    from msinfusion.scheduling.budget import deterministic_solver
    from msinfusion.scheduling.model import DayModel

    day_model = DayModel(instance)
    day_model.fix(starts)
    solver = deterministic_solver(seconds, REALIZE_DETERMINISTIC, seed, 1)
    status = solver.solve(day_model.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time
    return day_model.placements(solver), solver.deterministic_time
