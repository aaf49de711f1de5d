"""A proven upper bound on the scheduled priority: a time-indexed relaxation solved by CP-SAT.

Interchangeable jobs (`symmetry.job_classes`) share one count per start unit: `x[c, s]` is how many
jobs of class c start at grid unit s, over the starts their window, fixed start and nurse shifts
allow. In every grid unit: patients in chairs <= min(chairs, ratio x nurses on shift); visits needing a
feature set <= chairs with it; visits fixed to a chair <= 1; nurse tasks <= nurses on shift. Every
schedule satisfies these, so the model's optimum (and any bound CP-SAT proves on it) bounds the
priority. Its LP relaxation is the bound of `shared/reference/scheduling.md` §4.7, and CP-SAT's
search on the integer model closes the rest of the gap on days up to 100 visits within a second or two
(measured on the benchmark days: 8 chairs/35 visits LP 33.7, integer 33; 12/50 LP 50.2, integer 50).

The relaxation is not exact (it pools chairs and nurses and ignores which nurse shift does a task),
but its solutions usually are schedules: `model.py` turns the counts back into jobs and checks them on
the exact model. (Rows over running sums `y[c, t] = x[c, <=t]` are sparser and have the same LP, but
CP-SAT found optimal counts far more slowly with them: 12/50 stayed at 44 after 4 s against 50 in 1.5 s.)
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from msinfusion.scheduling.instance import Instance, Job
from msinfusion.scheduling.placement import Placement
from msinfusion.scheduling.stopping import register
from msinfusion.scheduling.symmetry import job_classes

__all__ = [
    "Relaxation",
    "Row",
    "allowed_starts",
    "assign_starts",
    "deviation_bound",
    "row_limit",
    "rows_of",
    "solve_relaxation",
    "solve_relaxation_mip",
]


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


Row = tuple[str, object, int]
"""A resource in one grid unit: ("patients" | "feature" | "pinned" | "nurses", which, unit)."""


def rows_of(instance: Instance, job: Job, start: int, feature_sets: set[frozenset[str]]) -> list[Row]:
    """The rows a job starting at `start` takes part in: patients, features and a pinned chair in
    every unit of its stay, nurses in every unit of its tasks."""
    keys: list[tuple[str, object]] = [("patients", None)]
    keys += [("feature", needs) for needs in feature_sets if needs <= job.requires]
    if job.fixed_chair is not None:
        keys.append(("pinned", job.fixed_chair))
    rows: list[Row] = [(*key, t) for t in range(start, start + job.duration) for key in keys]
    rows += [("nurses", None, start + task.offset + u) for task in job.tasks for u in range(task.length)]
    return rows


def row_limit(instance: Instance, row: Row) -> int:
    """How many jobs a row holds at most."""
    kind, value, t = row
    chairs = instance.day.center.chairs
    if kind == "patients":
        return min(len(chairs), instance.patient_capacity[t])
    if kind == "feature":
        assert isinstance(value, frozenset)
        return sum(1 for chair in chairs if value <= frozenset(chair.features))
    if kind == "pinned":
        return 1
    return instance.nurses_on_shift[t]


@dataclass(frozen=True)
class Relaxation:
    """The relaxation's outcome: a proven bound (None if CP-SAT proved none in time), the priority of its
    best solution and that solution as job starts (empty if none), whether it is proven optimal, and
    the deterministic time CP-SAT spent."""

    bound: int | None
    priority: int
    starts: dict[int, int]
    optimal: bool
    deterministic_time: float = 0.0


@dataclass
class _Class:
    members: list[Job]
    count: dict[int, cp_model.IntVar]  # jobs of the class starting at each allowed start


class _RelaxationModel:
    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        model = self.model = cp_model.CpModel()
        rows: dict[Row, list[cp_model.IntVar]] = defaultdict(list)
        most: dict[Row, int] = defaultdict(int)  # jobs that could be in a row at all
        self.classes: list[_Class] = []
        objective = []
        feature_sets = {job.requires for job in instance.jobs if job.requires}
        for members in job_classes(instance):
            job = members[0]
            size = len(members)
            count = {s: model.new_int_var(0, size, f"{job.id}.starts{s}") for s in allowed_starts(instance, job)}
            self.classes.append(_Class(members, count))
            if not count:
                continue
            model.add(sum(count.values()) <= len(members))
            objective.append(job.priority * sum(count.values()))
            busy: set[Row] = set()
            for s, variable in count.items():
                units = rows_of(instance, job, s, feature_sets)
                for unit in units:
                    rows[unit].append(variable)
                busy.update(units)
            for unit in busy:
                most[unit] += len(members)
        for key, terms in rows.items():
            limit = row_limit(instance, key)
            if most[key] > limit:  # a row that can never hold more than `limit` jobs needs no constraint
                model.add(sum(terms) <= limit)
        model.maximize(sum(objective))

    def hint(self, placements: Sequence[Placement]) -> None:
        """Hint the counts of a schedule."""
        start_of = {placement.job: placement.start for placement in placements}
        for cls in self.classes:
            taken = [start_of[job.index] for job in cls.members if job.index in start_of]
            for s, variable in cls.count.items():
                self.model.add_hint(variable, taken.count(s))

    def starts(self, solver: cp_model.CpSolver) -> dict[int, int]:
        """The counts of the best solution given back to jobs, each class's starts to its members with
        the least total deviation from their preferred starts (:func:`assign_starts`)."""
        result: dict[int, int] = {}
        for cls in self.classes:
            starts = [s for s, variable in cls.count.items() for _ in range(int(solver.value(variable)))]
            result.update(assign_starts(cls.members, starts))
        return result


def assign_starts(members: Sequence[Job], starts: Sequence[int]) -> dict[int, int]:
    """Give interchangeable jobs the given starts (at most one each) with the least total deviation.

    Members without a preference take any start at no cost. The rest, sorted by preferred start,
    take starts in the same order (on a line, crossing assignments are never cheaper), so a dynamic
    programme over (starts placed, preferring members passed, free members used) is exact.
    """
    starts = sorted(starts)
    free = [job for job in members if job.preferred is None]
    keen = sorted((job for job in members if job.preferred is not None), key=lambda j: (j.preferred, j.index))
    assert len(starts) <= len(members)
    inf = float("inf")
    # best[(i, j, u)]: least cost of placing starts[i:] with keen[j:] and len(free) - u free members left.
    best: dict[tuple[int, int, int], float] = {}

    def cost(i: int, j: int, u: int) -> float:
        if i == len(starts):
            return 0.0
        key = (i, j, u)
        if key not in best:
            options = [inf]
            if u < len(free):
                options.append(cost(i + 1, j, u + 1))
            if j < len(keen):
                options.append(cost(i, j + 1, u))
                preferred = keen[j].preferred
                assert preferred is not None
                options.append(abs(starts[i] - preferred) + cost(i + 1, j + 1, u))
            best[key] = min(options)
        return best[key]

    total = cost(0, 0, 0)
    assert total < inf
    result: dict[int, int] = {}
    i = j = u = 0
    while i < len(starts):
        here = cost(i, j, u)
        wanted = keen[j].preferred if j < len(keen) else None
        if u < len(free) and cost(i + 1, j, u + 1) == here:
            result[free[u].index] = starts[i]
            i, u = i + 1, u + 1
        elif wanted is not None and abs(starts[i] - wanted) + cost(i + 1, j + 1, u) == here:
            result[keen[j].index] = starts[i]
            i, j = i + 1, j + 1
        else:
            j += 1
    return result


def solve_relaxation(
    instance: Instance,
    hint: Sequence[Placement] = (),
    *,
    seconds: float = 10.0,
    deterministic_seconds: float | None = None,
    seed: int = 0,
) -> Relaxation:
    """Solve the relaxation with one CP-SAT worker (deterministic within `deterministic_seconds`)."""
    relaxation = _RelaxationModel(instance)
    relaxation.hint(hint)
    solver = register(cp_model.CpSolver())
    parameters = solver.parameters
    parameters.num_workers = 1
    # Cuts from every linear row: the LP then starts at the §4.7 bound and guides the search.
    parameters.linearization_level = 2
    parameters.random_seed = seed
    parameters.max_time_in_seconds = max(0.05, seconds)
    if deterministic_seconds is not None:
        parameters.max_deterministic_time = max(0.05, deterministic_seconds)
    status = solver.solve(relaxation.model)
    if status == cp_model.INFEASIBLE or status == cp_model.MODEL_INVALID:
        raise AssertionError(f"the relaxation is always feasible; CP-SAT says {solver.status_name(status)}")
    bound = solver.best_objective_bound
    proven = None if math.isinf(bound) else math.floor(bound + 1e-6)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # Stopped before any solution: CP-SAT reports 0 when it has not bounded the objective yet.
        known = proven if proven is not None and proven > 0 else None
        return Relaxation(known, 0, {}, False, solver.deterministic_time)
    optimal = status == cp_model.OPTIMAL
    priority = round(solver.objective_value)
    return Relaxation(proven, priority, relaxation.starts(solver), optimal, solver.deterministic_time)


def deviation_bound(instance: Instance, priority: int) -> int | None:
    """A proven lower bound on the total deviation (grid units) of any schedule of `priority` or more.

    The linear relaxation of a time-indexed assignment: `x[j, s]`, the share of job j starting at grid
    unit s, over the starts `allowed_starts` gives it, costs |s - preferred|; each job starts at most
    once, the priority reaches `priority`, and in every grid unit the patients, the visits needing a
    feature set, the visits fixed to a chair and the nurse tasks stay within the limits of the
    relaxation above. Every schedule is a solution, so the LP optimum (rounded up) bounds the
    deviation. None if no such assignment exists (then no schedule reaches `priority`).
    """
    solver = pywraplp.Solver.CreateSolver("GLOP")
    feature_sets = {job.requires for job in instance.jobs if job.requires}
    rows: dict[Row, list[pywraplp.Variable]] = defaultdict(list)
    reached: list[tuple[int, pywraplp.Variable]] = []
    cost: list[tuple[int, pywraplp.Variable]] = []
    for job in instance.jobs:
        shares = {s: solver.NumVar(0.0, 1.0, f"{job.id}@{s}") for s in allowed_starts(instance, job)}
        if not shares:
            continue
        solver.Add(solver.Sum(list(shares.values())) <= 1)
        for s, share in shares.items():
            reached.append((job.priority, share))
            if job.preferred is not None and s != job.preferred:
                cost.append((abs(s - job.preferred), share))
            for row in rows_of(instance, job, s, feature_sets):
                rows[row].append(share)
    for row, terms in rows.items():
        limit = row_limit(instance, row)
        if len(terms) > limit:
            solver.Add(solver.Sum(terms) <= limit)
    solver.Add(solver.Sum([weight * share for weight, share in reached]) >= priority)
    solver.Minimize(solver.Sum([weight * share for weight, share in cost]))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    optimum: float = solver.Objective().Value()
    return math.ceil(optimum - 1e-6)


def solve_relaxation_mip(
    instance: Instance, hint: Sequence[Placement] = (), *, seconds: float, nodes: int | None = None
) -> Relaxation | None:
    """The same relaxation solved by SCIP's branch and cut (one thread), within `seconds` of wall time
    and, if given, `nodes` branch-and-bound nodes (a work limit: reproducible while the wall does not bind).

    On the largest days CP-SAT's search on the counts finds no schedule better than its hint and
    stalls at the LP bound, where SCIP proves the optimum (150 visits, 48 chairs: 160 proven in
    2-4 s on a loaded core, against a bound of 161-164 and no solution from CP-SAT). None if SCIP is
    not available. Stopped by the wall clock, so not reproducible when the limit binds.
    """
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        return None
    register(solver, pywraplp.Solver.InterruptSolve)
    solver.SetNumThreads(1)
    solver.SetTimeLimit(max(50, int(seconds * 1000)))
    if nodes is not None:
        solver.SetSolverSpecificParametersAsString(f"limits/nodes = {nodes}\n")
    feature_sets = {job.requires for job in instance.jobs if job.requires}
    rows: dict[Row, list[pywraplp.Variable]] = defaultdict(list)
    most: dict[Row, int] = defaultdict(int)
    classes: list[tuple[list[Job], dict[int, pywraplp.Variable]]] = []
    objective: list[tuple[int, pywraplp.Variable]] = []
    start_of = {placement.job: placement.start for placement in hint}
    hinted: list[tuple[pywraplp.Variable, int]] = []
    for members in job_classes(instance):
        job = members[0]
        count = {s: solver.IntVar(0, len(members), f"{job.id}@{s}") for s in allowed_starts(instance, job)}
        classes.append((members, count))
        if not count:
            continue
        solver.Add(solver.Sum(list(count.values())) <= len(members))
        taken = [start_of[member.index] for member in members if member.index in start_of]
        busy: set[Row] = set()
        for s, variable in count.items():
            objective.append((job.priority, variable))
            hinted.append((variable, taken.count(s)))
            units = rows_of(instance, job, s, feature_sets)
            for unit in units:
                rows[unit].append(variable)
            busy.update(units)
        for unit in busy:
            most[unit] += len(members)
    for row, terms in rows.items():
        limit = row_limit(instance, row)
        if most[row] > limit:
            solver.Add(solver.Sum(terms) <= limit)
    solver.Maximize(solver.Sum([weight * variable for weight, variable in objective]))
    if hinted:
        solver.SetHint([variable for variable, _ in hinted], [float(value) for _, value in hinted])
    status = solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    best_bound: float = solver.Objective().BestBound()
    priority = round(solver.Objective().Value())
    optimal = status == pywraplp.Solver.OPTIMAL
    bound = priority if optimal else math.floor(best_bound + 1e-6)
    starts: dict[int, int] = {}
    for members, count in classes:
        chosen = [s for s, variable in count.items() for _ in range(round(variable.solution_value()))]
        starts.update(assign_starts(members, chosen))
    return Relaxation(bound, priority, starts, optimal)
