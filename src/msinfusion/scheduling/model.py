"""The CP-SAT model of a day: the rules, the lexicographic objective, and a staged solve.

1. **Relaxation** (`bounds.py`): a time-indexed model over classes of interchangeable jobs proves an
   upper bound on the scheduled priority and usually finds a schedule that reaches it; its starts are
   checked on the exact model here (chairs and nurses given out by CP-SAT with every start fixed).
   Beside it, on a second thread, a day of up to `LEXICOGRAPHIC_MAX_DAY` visits gets the per-job
   time-indexed relaxation for both objectives (`preference_relaxation`); when its checked schedule
   meets both its bounds the solve ends there. Above `LARGE_DAY` visits SCIP solves the relaxation
   (`LARGE_MIP_NODES`; 150 visits, 48 chairs: 160 proven, its starts a schedule).
2. **Priority** (only if the relaxation's schedule does not meet its bound): the exact interval model
   maximises the scheduled priority below that bound, with the symmetry of interchangeable jobs
   broken, from the best schedule so far.
3. **Improvement** (only if stages 1-2 did not prove the priority optimal within their deterministic
   budgets): the exact model, without symmetry breaking, keeps improving the priority from the best
   schedule so far with parallel large-neighbourhood search until `IMPROVEMENT_SHARE` of the wall
   time limit.
4. **Preferences**: the exact model keeps that priority and minimises the total deviation from
   preferred starts. The schedule so far is first polished by a local search (`preferences.polish`).
   On a day whose priority is proven, the stage is `neighbourhoods.improve_preferences`: the
   relaxation for the deviation, then windows, beside a sliding-window search, each on one worker
   under a deterministic budget (`DETERMINISTIC_PER_SECOND` of the time left). Else the wall-clock stage.
5. **Nurse load** (in `solve.py`, after any left-out visit that still fits is added): the nurses'
   task minutes are levelled with every start kept (`levelling.level_nurses`), with optional
   primary-nurse continuity.

Determinism: stages 1, 2 and (on a day whose priority they prove) 4 stop on CP-SAT's deterministic
time (`max_deterministic_time`, a count of work done, not seconds), the relaxation and each search of
stage 4 run on one worker, stage 2 interleaves its workers (`interleave_search`), the local searches
(polish, levelling) are deterministic by construction, and each stage's deterministic
budget comes from the deterministic time spent before it (`budget.StageClock`), never from the wall clock. So
for one input, seed, time limit and worker count the result is the same on every run, as long as no
stage hits its wall-clock cap (its share of the time limit). A cap binds when the machine does less
CP-SAT work per second than the calibration below assumes (a busy or slow machine), and then the
result can differ between runs. The benchmark solves one day twice and says whether the two
schedules were the same.

**A day whose priority is not proven within those deterministic budgets is not reproducible**: its
stages 3 and 4 run until the wall time limit with workers in parallel (not interleaved), so that
day's result depends on machine speed and load and can differ between runs with the same seed. A
scheduler who gives the optimizer 10 seconds gets all 10 on such a day. A day proven within its
deterministic budgets never reaches those stages and stays reproducible.

**Search modes.** All of the above is the default, `search="deterministic"`. `search="anytime"` trades
that reproducibility for quality within the time limit (`anytime.py`): beside the relaxation of a
day of `anytime.COMPANION_DAY` to `anytime.COMPANION_MAX_DAY` visits a weighted lexicographic search
runs (`lexicographic.Companion`), above `LARGE_DAY` visits SCIP runs on the wall clock (no node
limit), and stage 4 is CP-SAT's large-neighbourhood search on all workers
until the wall time limit (`preference_lns`). Its result depends on machine speed and load.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from msinfusion.scheduling import preference_lns
from msinfusion.scheduling.anytime import LARGE_MIP_SHARE, settle, start_companion
from msinfusion.scheduling.bounds import solve_relaxation, solve_relaxation_mip
from msinfusion.scheduling.budget import StageClock, deterministic_solver, wall_solver
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.neighbourhoods import improve_preferences
from msinfusion.scheduling.placement import Placement, seat_in_groups
from msinfusion.scheduling.preference_relaxation import Beside
from msinfusion.scheduling.preference_relaxation import realize as _realize
from msinfusion.scheduling.preferences import deviation, polish
from msinfusion.scheduling.progress import Progress, ProgressCallback
from msinfusion.scheduling.progress import ProgressReporter as _Callback
from msinfusion.scheduling.rules import RULES, Rule
from msinfusion.scheduling.solve import SearchMode
from msinfusion.scheduling.symmetry import canonical, job_classes
from msinfusion.scheduling.variables import DayVariables

__all__ = ["DayModel", "ModelResult", "Progress", "ProgressCallback", "solve_model"]

RELAXATION_SHARE = 0.65
"""Share of the time limit the relaxation may take (it usually proves its optimum well before). The
hardest benchmark day, 12 chairs/50 visits, needs 4.7-6.3 deterministic units by seed (0, 1, 3;
seed 2 had not closed the last unit after 10)."""
PRIORITY_SHARE = 0.75
"""Share of the time limit by which the priority stages end; the preference stage gets the rest."""
LARGE_DAY = 100
"""Above this many appointments the relaxation rarely finds a schedule better than the greedy one
(150 visits: none in 5 deterministic units, bound 161-165 as from the exact search), so it gets
`LARGE_RELAXATION_SHARE`. 150 visits at load 5-9: priority 140 with 25 %, 146 (twice) with 10 %.
The interleaved priority search (stage 2) then runs until `LARGE_PRIORITY_SHARE` of the nominal
clock, and an unproven day spends the rest of the wall time in stage 3, whose parallel LNS improves
far faster there (150 visits at load 2.5-3.5: 153-157 with 40 %, 155-156 with 25 % and with 60 %)."""
LARGE_RELAXATION_SHARE = 0.1
LEXICOGRAPHIC_MAX_DAY = 30
"""Up to this many visits the relaxation for both objectives runs beside stage 1 (30 visits: both proven
in 1.7 units, 615 min against 805-890; 35-60 at load 5-9: no schedule in its budget, the priority slower)."""
LARGE_MIP_NODES = 20
"""On days above `LARGE_DAY` visits SCIP solves the relaxation (`bounds.solve_relaxation_mip`) in the
default search too, limited to this many branch-and-bound nodes instead of the wall clock, which
makes it reproducible while its wall cap (`anytime.LARGE_MIP_SHARE`) does not bind (150 visits: 160
proven at the root node, its starts a schedule, 6.4 s at load 6.7)."""
LARGE_MIP_NOMINAL = 0.5
"""The share of the time limit that SCIP solve (no deterministic clock) is charged on the nominal clock."""
LARGE_PRIORITY_SHARE = 0.4
IMPROVEMENT_SHARE = 0.9
"""Share of the wall time limit by which the wall-clock priority stage (3) of an unproven day ends; the
wall-clock preference stage gets the rest. (Priority first: it is the first objective.)"""
DETERMINISTIC_PER_SECOND = 1.0
"""CP-SAT deterministic time per second of the time limit for the one-worker stages (relaxation and
the check of its starts). One worker does about 1.2 units per wall second on an idle core of the
2-core benchmark machine, so there the deterministic limit, not the wall clock, ends the stage."""
INTERLEAVED_PER_SECOND = 0.05
"""The same for the interleaved interval-model stages, whose deterministic clock runs far slower
(measured 0.02-0.1 units per wall second at load 3-7, lowest on the largest days). At 0.1 the
preference stage ran into its wall cap on 8ch/35 even at load 3 and a second solve differed; 0.05
gives up some preference quality for that (24ch/60 before the exact start assignment: 3340 min
against 3180)."""


@dataclass(frozen=True)
class ModelResult:
    """What CP-SAT found: placements (empty if nothing), the bound on priority, and whether proven."""

    placements: list[Placement]
    bound: int
    optimal: bool
    first_solution_seconds: float | None


class DayModel:
    """A CP-SAT model of an instance with the given rules (all of them by default)."""

    def __init__(self, instance: Instance, rules: Sequence[Rule] = RULES, *, break_symmetry: bool = False) -> None:
        self.instance = instance
        self.model = cp_model.CpModel()
        self.variables = DayVariables(self.model, instance)
        for rule in rules:
            rule(self.variables)
        if break_symmetry:
            self._break_symmetry()
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

    def deviation_of(self, job: int) -> cp_model.IntVar | None:
        """The job's |start - preferred start| in grid units (0 when unscheduled); None without a preference."""
        return self._deviation_of.get(job)

    def _break_symmetry(self) -> None:
        """Within a class of interchangeable jobs, schedule the first ones, in order of start.

        Valid for the priority only (the preference objective tells class members apart): every
        schedule has a canonical twin of the same priority (`symmetry.canonical`).
        """
        model = self.model
        for members in job_classes(self.instance):
            for earlier, later in itertools.pairwise(members):
                first, second = self.variables.jobs[earlier.index], self.variables.jobs[later.index]
                model.add_implication(second.present, first.present)
                model.add(first.start <= second.start).only_enforce_if(second.present)

    def fix(self, starts: dict[int, int]) -> None:
        """Schedule exactly the given jobs at the given starts (CP-SAT only gives out chairs and nurses)."""
        for job, job_vars in zip(self.instance.jobs, self.variables.jobs, strict=True):
            if job.index in starts:
                self.model.add(job_vars.present == 1)
                self.model.add(job_vars.start == starts[job.index])
            else:
                self.model.add(job_vars.present == 0)

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

    def placements(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> list[Placement]:
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


def _priority(instance: Instance, placements: Sequence[Placement]) -> int:
    return sum(instance.jobs[placement.job].priority for placement in placements)


def _key(instance: Instance, placements: Sequence[Placement]) -> tuple[int, int]:
    return _priority(instance, placements), -deviation(instance, placements)


def solve_model(
    instance: Instance,
    hint: Sequence[Placement],
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
    search: SearchMode = "deterministic",
) -> ModelResult:
    """Solve the stages within `time_limit` seconds, starting from the hinted placements (a schedule).

    `search="anytime"` adds the wall-clock searches of the module docstring's last paragraph."""
    clock = StageClock(time_limit)
    started = clock.started
    single, interleaved = DETERMINISTIC_PER_SECOND, INTERLEAVED_PER_SECOND

    def report(phase: int, best: int | None, bound: int | None) -> None:
        if on_progress is not None:
            on_progress(Progress(phase, best, bound, None, clock.elapsed()))

    large = len(instance.jobs) > LARGE_DAY
    relaxation_share = LARGE_RELAXATION_SHARE if large else RELAXATION_SHARE
    priority_share = LARGE_PRIORITY_SHARE if large else PRIORITY_SHARE
    best = list(hint)
    best_priority = _priority(instance, best)
    first: float | None = None
    anytime = search == "anytime"
    companion = None
    if anytime:
        companion = start_companion(instance, best, seconds=clock.wall_left(1.0), seed=seed, workers=workers)
    relaxation = beside = None
    if not anytime and len(instance.jobs) <= LEXICOGRAPHIC_MAX_DAY:  # side by side, one worker and budget each
        deterministic = clock.budget(relaxation_share, single)
        deadline = time.monotonic() + clock.wall_left(relaxation_share)
        beside = Beside(instance, best, deterministic=deterministic, deadline=deadline, seed=seed)
    if large:
        nodes = None if anytime else LARGE_MIP_NODES
        relaxation = solve_relaxation_mip(instance, best, seconds=clock.wall_left(LARGE_MIP_SHARE), nodes=nodes)
        # SCIP runs on the wall clock when anytime; else its work is limited and charged at a fixed rate.
        clock.spend(clock.elapsed() - clock.nominal if anytime else LARGE_MIP_NOMINAL * time_limit, 1.0)
    # Stage 1: the relaxation's bound, and its schedule when the exact model accepts it.
    if relaxation is None:
        relaxation = solve_relaxation(
            instance,
            seconds=clock.wall_left(relaxation_share),
            deterministic_seconds=clock.budget(relaxation_share, single),
            seed=seed,
        )
        clock.spend(relaxation.deterministic_time, single)
    bound = sum(job.priority for job in instance.jobs)
    if relaxation.bound is not None and relaxation.bound >= best_priority:
        bound = min(bound, relaxation.bound)
    if relaxation.priority > best_priority:
        # (An anytime large day's SCIP may end past `priority_share`: checking its starts still pays.)
        check_share = IMPROVEMENT_SHARE if anytime and large else priority_share
        realized, spent = _realize(
            instance, relaxation.starts, seconds=max(0.1, clock.wall_left(check_share)), seed=seed
        )
        clock.spend(spent, single)
        if realized is not None:
            best, best_priority = realized, relaxation.priority
            first = clock.elapsed()
    lex = beside.join() if beside is not None else None
    if lex is not None:
        clock.spend(max(0.0, lex.deterministic_time - clock.nominal * single), single)
        bound = max(best_priority, min(bound, lex.priority_bound or bound))
        if lex.placements is not None and _key(instance, lex.placements) > _key(instance, best):
            best, best_priority, first = lex.placements, _priority(instance, lex.placements), first or clock.elapsed()
        if best_priority >= bound and best is lex.placements and deviation(instance, best) <= lex.bound:
            report(1, best_priority, bound)  # both objectives proven optimal
            return ModelResult(best, bound, True, first)
    if companion is not None:
        outcome = settle(instance, companion, best, bound)
        if outcome.done:  # it held the proven priority and ran on as the preference stage
            report(1, bound, bound)
            return ModelResult(outcome.placements, bound, outcome.optimal, clock.elapsed() if first is None else first)
        if outcome.placements != best:
            best, best_priority = outcome.placements, _priority(instance, outcome.placements)
            first = clock.elapsed() if first is None else first
    report(1, best_priority, bound)
    proven = best_priority >= bound
    if not proven and clock.budget(priority_share, interleaved) > 0 and clock.wall_left(priority_share) > 0.05:
        # Stage 2: the exact model for the priority, below the relaxation's bound.
        day_model = DayModel(instance, break_symmetry=True)
        day_model.model.add(day_model.priority <= bound)
        day_model.hint(canonical(instance, best))
        day_model.model.maximize(day_model.priority)
        solver = deterministic_solver(
            clock.wall_left(priority_share), clock.budget(priority_share, interleaved), seed, workers
        )
        callback = _Callback(1, started, on_progress, deviation=False, bound=bound)
        status = solver.solve(day_model.model, callback)
        clock.spend(solver.deterministic_time, interleaved)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and round(solver.objective_value) > best_priority:
            best, best_priority = day_model.placements(solver), round(solver.objective_value)
            first = callback.first if first is None else first
        if status == cp_model.OPTIMAL:
            bound = best_priority
        elif status == cp_model.FEASIBLE:
            # (A stop before any solution reports 0, not a bound: the hint is a schedule, so this has one.)
            bound = max(best_priority, min(bound, math.floor(solver.best_objective_bound + 1e-6)))
        proven = best_priority >= bound
        report(1, best_priority, bound)
    # Past this point an unproven day runs on the wall clock (see the module docstring).
    on_wall = not proven
    if on_wall and clock.wall_left(IMPROVEMENT_SHARE) > 0.05:
        # Stage 3: the priority is not proven within the deterministic budgets; improve it until the wall cap.
        day_model = DayModel(instance)
        day_model.model.add(day_model.priority <= bound)
        day_model.model.add(day_model.priority >= best_priority)
        day_model.hint(best)
        day_model.model.maximize(day_model.priority)
        solver = wall_solver(clock.wall_left(IMPROVEMENT_SHARE), seed, workers, lns_only=True)
        callback = _Callback(1, started, on_progress, deviation=False, bound=bound)
        status = solver.solve(day_model.model, callback)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and round(solver.objective_value) > best_priority:
            best, best_priority = day_model.placements(solver), round(solver.objective_value)
            first = callback.first if first is None else first
        if status == cp_model.OPTIMAL:
            bound = best_priority
        elif status == cp_model.FEASIBLE:
            bound = max(best_priority, min(bound, math.floor(solver.best_objective_bound + 1e-6)))
        proven = best_priority >= bound
        report(1, best_priority, bound)
    if anytime:
        # Stage 4 (anytime): CP-SAT's LNS on the preferences until the wall limit (`preference_lns`).
        def heard(value: int) -> None:
            if on_progress is not None:
                on_progress(Progress(2, None, None, value, clock.elapsed()))

        lns = preference_lns.improve_preferences(
            instance, best, seconds=clock.wall_left(1.0), seed=seed, workers=workers, on_improve=heard
        )
        return ModelResult(lns.placements, bound, proven and lns.proven, first)
    # The local search never loses a visit nor moves one away from its preference: a better hint.
    best = polish(instance, best)
    day_model = DayModel(instance)
    preference_budget = math.inf if on_wall else clock.budget(1.0, interleaved)
    if not day_model.deviations or preference_budget <= 0 or clock.wall_left(1.0) <= 0.05:
        return ModelResult(best, bound, proven and not day_model.deviations, first)
    if not on_wall:
        # Stage 4 (deterministic): keep the priority found, spend what is left on preferences, one
        # window of the day at a time on one worker (CP-SAT's own LNS is not deterministic).
        def improved(value: int) -> None:
            if on_progress is not None:
                on_progress(Progress(2, None, None, value, clock.elapsed()))

        best, spent, settled = improve_preferences(
            instance,
            best,
            deterministic=clock.budget(1.0, single),
            seconds=clock.wall_left(1.0),
            seed=seed,
            on_improve=improved,
        )
        clock.spend(spent, single)
        return ModelResult(best, bound, proven and settled, first)
    # Stage 4 (wall clock): keep the priority found, spend what is left on preferences.
    day_model.model.add(day_model.priority >= best_priority)
    day_model.model.minimize(sum(day_model.deviations))
    day_model.hint(best)
    solver = wall_solver(clock.wall_left(1.0), seed, workers)
    callback = _Callback(2, started, on_progress, deviation=True)
    status = solver.solve(day_model.model, callback)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = polish(instance, day_model.placements(solver))
        if deviation(instance, found) <= deviation(instance, best):
            best = found
    return ModelResult(best, bound, proven and status == cp_model.OPTIMAL, first)
