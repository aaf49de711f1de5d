"""A proven upper bound on the scheduled priority: the LP relaxation of a time-indexed model.

`x[i, s]` is the (fractional) share of job i starting at grid unit s, over the starts its window,
fixed start and nurse shifts allow. In every grid unit: patients in chairs <= min(chairs, ratio x
nurses on shift); visits needing a feature <= chairs with it; visits fixed to a chair <= 1; nurse tasks
<= nurses on shift. Each holds for every feasible schedule, so the LP optimum bounds the priority.
(`shared/reference/scheduling.md` §4.7 measured this bound within about 3 % of the best schedules.)

Occupancy rows use running sums `y[i, t] = x[i, <=t]`, so a visit adds two entries per row instead
of one per start that covers the unit. Solved with GLOP, which ships with OR-Tools.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ortools.linear_solver import pywraplp

from msinfusion.scheduling.instance import Instance, Job

__all__ = ["allowed_starts", "lp_bound"]


def allowed_starts(instance: Instance, job: Job) -> list[int]:
    """Starts within the window (or the fixed start) where nurses are on shift for the whole visit
    and some shift covers each nurse task."""
    if job.lo > job.hi:
        return []
    candidates = range(job.lo, job.hi + 1)
    if job.fixed_start is not None:
        candidates = range(job.fixed_start, job.fixed_start + 1) if job.lo <= job.fixed_start <= job.hi else range(0)
    capacity = instance.patient_capacity
    groups = instance.nurse_groups
    starts = []
    for s in candidates:
        if any(capacity[t] == 0 for t in range(s, s + job.duration)):
            continue
        if all(
            any(g.start <= s + task.offset and s + task.offset + task.length <= g.end for g in groups)
            for task in job.tasks
        ):
            starts.append(s)
    return starts


def lp_bound(instance: Instance, time_limit: float = 5.0) -> int | None:
    """The rounded-down LP bound on the scheduled priority; None if GLOP does not finish in time."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    horizon = instance.horizon
    chair_features = {chair.id: frozenset(chair.features) for chair in instance.day.center.chairs}
    rows: dict[tuple[str, object, int], list[tuple[pywraplp.Variable, float]]] = defaultdict(list)
    limits: dict[tuple[str, object, int], float] = {}
    total_chairs = len(chair_features)
    for t in range(horizon):
        limits[("patients", None, t)] = min(total_chairs, instance.patient_capacity[t])
        limits[("nurses", None, t)] = instance.nurses_on_shift[t]
    objective = solver.Objective()
    for job in instance.jobs:
        starts = allowed_starts(instance, job)
        if not starts:
            continue
        first, last = starts[0], starts[-1]
        allowed = set(starts)
        # running[t]: the share of the job started at or before t (first <= t <= last).
        running: dict[int, pywraplp.Variable] = {}
        for s in range(first, last + 1):
            current = solver.NumVar(0.0, 1.0, "")
            if s > first:
                solver.Add(current >= running[s - 1] if s in allowed else current == running[s - 1])
            running[s] = current
        objective.SetCoefficient(running[last], job.priority)

        def started(
            t: int, running: dict[int, pywraplp.Variable] = running, last: int = last
        ) -> pywraplp.Variable | None:
            return running.get(min(t, last))

        classes: list[tuple[str, object]] = [("patients", None)]
        if job.requires:
            for chair_needs in {frozenset(j.requires) for j in instance.jobs if j.requires}:
                if chair_needs <= job.requires:
                    classes.append(("feature", chair_needs))
        if job.fixed_chair is not None:
            classes.append(("pinned", job.fixed_chair))
        # Occupied in unit t = started by t minus started by t - duration.
        for t in range(first, min(horizon, last + job.duration)):
            plus, minus = started(t), started(t - job.duration)
            for kind, key in classes:
                row = rows[(kind, key, t)]
                if plus is not None:
                    row.append((plus, 1.0))
                if minus is not None:
                    row.append((minus, -1.0))
        for task in job.tasks:
            for t in range(first + task.offset, min(horizon, last + task.offset + task.length)):
                plus, minus = started(t - task.offset), started(t - task.offset - task.length)
                row = rows[("nurses", None, t)]
                if plus is not None:
                    row.append((plus, 1.0))
                if minus is not None:
                    row.append((minus, -1.0))
    for key, terms in rows.items():
        kind, value, _ = key
        if kind == "feature":
            assert isinstance(value, frozenset)
            limit = float(sum(1 for features in chair_features.values() if value <= features))
        elif kind == "pinned":
            limit = 1.0
        else:
            limit = float(limits[key])
        constraint = solver.Constraint(-solver.infinity(), limit)
        for variable, coefficient in terms:
            constraint.SetCoefficient(variable, constraint.GetCoefficient(variable) + coefficient)
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    return math.floor(float(objective.Value()) + 1e-6)
