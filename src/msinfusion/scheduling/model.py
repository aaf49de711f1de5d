"""The CP-SAT model of a day: the rules, the lexicographic objective, and a staged solve.

1. **Relaxation** (`bounds.py`): a time-indexed model over classes of interchangeable jobs proves an
   upper bound on the scheduled priority and usually finds a schedule that reaches it; its starts are
   checked on the exact model here. Above `LARGE_DAY` visits SCIP solves it (`solve_relaxation_mip`).
   From `COMPANION_DAY` to `COMPANION_MAX_DAY` visits a second search (`lexicographic.Companion`)
   runs alongside on the exact model for priority and preferences at once; if it reaches the proven
   priority, it runs on as stage 4 and stages 2-3 are skipped.
2. **Priority** (only if the priority is not yet proven): the exact interval model maximises the
   scheduled priority below that bound, symmetry of interchangeable jobs broken, from the best so far.
3. **Improvement** (only if stages 1-2 did not prove the priority within their deterministic
   budgets): the exact model keeps improving the priority with parallel large-neighbourhood search
   until `IMPROVEMENT_SHARE` of the wall time limit.
4. **Preferences** (`neighbourhoods.improve_preferences`): the priority kept, the total deviation
   from preferred starts minimised from the polished schedule so far: a short one-worker
   deterministic attempt to prove the optimum, then CP-SAT's LNS on the workers given until the limit.
5. **Nurse load** (in `solve.py`): the nurses' task minutes levelled with every start kept
   (`levelling.level_nurses`), with optional primary-nurse continuity.

Determinism: stages 1 and 2 stop on CP-SAT's deterministic time (a count of work done, not seconds),
with budgets from the deterministic time spent before them (`budget.StageClock`); the local searches
are deterministic by construction. Stage 4 and the companion search run on the wall clock, so a
solve is reproducible (same input, seed, time limit and workers) only on a day below `COMPANION_DAY`
visits whose preference optimum is proven within `neighbourhoods.PROOF_DETERMINISTIC`, with no
wall-clock cap binding. Larger days trade reproducibility for quality: the deterministic window search
stage 4 replaces left 10-30 % more deviation than a plain re-solve given the same 10 s, and its
result too depended on the machine once a wall cap bound (a busy or slow machine).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from msinfusion.scheduling.bounds import solve_relaxation, solve_relaxation_mip
from msinfusion.scheduling.budget import StageClock, deterministic_solver, wall_solver
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.lexicographic import Companion
from msinfusion.scheduling.neighbourhoods import improve_preferences
from msinfusion.scheduling.placement import Placement, seat_in_groups
from msinfusion.scheduling.preferences import deviation, polish
from msinfusion.scheduling.rules import RULES, Rule
from msinfusion.scheduling.schedule import Schedule
from msinfusion.scheduling.symmetry import canonical, job_classes
from msinfusion.scheduling.variables import DayVariables

__all__ = ["DayModel", "ModelResult", "Progress", "solve_model"]

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
LARGE_MIP_SHARE = 0.85
"""On those days the relaxation is first solved by SCIP (`bounds.solve_relaxation_mip`) until this
share of the wall time limit: 150 visits, 48 chairs at load 12 on 2 cores: 160 proven in 3.5-6 s and
its starts a schedule, so the priority is proven optimal (CP-SAT's stages: 154-156 against a bound of
161-164). If SCIP is cut off first, little time is left for stages 2-3 (seed 2 at load 10: greedy's
141 against 157; with 0.7, seed 2 got 156 and seed 1 137). Without SCIP the CP-SAT relaxation runs."""
LARGE_PRIORITY_SHARE = 0.4
COMPANION_DAY = 12
"""From this many appointments a second thread searches the exact model for both objectives while
the relaxation runs (`lexicographic.Companion`); below it the relaxation takes hundredths of a
second and the result stays reproducible."""
COMPANION_MAX_DAY = 60
"""Above this many appointments the companion takes more from the priority than it gives to the
preferences (load 11-15 on 2 cores, seed 1: 100 visits 95 against 98-103 without it, 150 visits 139
against 160, as SCIP no longer proved the relaxation in time)."""
IMPROVEMENT_SHARE = 0.9
"""Share of the wall time limit by which the wall-clock priority stage (3) of an unproven day ends; the
wall-clock preference stage gets the rest. (Priority first: it is the first objective.)"""
DETERMINISTIC_PER_SECOND = 1.0
"""CP-SAT deterministic time per second of the time limit for the one-worker stages (relaxation and
the check of its starts). One worker does about 1.2 units per wall second on an idle core of the
2-core benchmark machine, so there the deterministic limit, not the wall clock, ends the stage."""
REALIZE_DETERMINISTIC = 1.0
"""Deterministic time for checking the relaxation's starts on the exact model (a few hundredths used)."""
INTERLEAVED_PER_SECOND = 0.05
"""The same for the interleaved interval-model stages, whose deterministic clock runs far slower
(measured 0.02-0.1 units per wall second at load 3-7, lowest on the largest days). At 0.1 the
preference stage ran into its wall cap on 8ch/35 even at load 3 and a second solve differed; 0.05
gives up some preference quality for that (24ch/60 before the exact start assignment: 3340 min
against 3180)."""


@dataclass(frozen=True)
class Progress:
    """A progress report: the best scheduled priority so far, the proven bound, seconds elapsed.

    Phase 0 is the greedy schedule, reported before any search with the validated schedule itself in
    `schedule`; phase 1 reports the priority search, phase 2 the preference deviation.
    """

    phase: int
    best_priority: int | None
    bound: int | None
    deviation: int | None
    elapsed: float
    schedule: Schedule | None = None


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


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        phase: int,
        started: float,
        on_progress: ProgressCallback | None,
        deviation: bool,
        bound: int | None = None,
    ) -> None:
        super().__init__()
        self.phase = phase
        self.started = started
        self.on_progress = on_progress
        self.deviation = deviation
        self.bound = bound  # a bound proven before this solve (CP-SAT may report a weaker one at first)
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.started
        if self.first is None:
            self.first = now
        if self.on_progress is None:
            return
        objective = round(self.objective_value)
        bound = math.floor(self.best_objective_bound + 1e-6)
        if self.bound is not None:
            bound = min(bound, self.bound)
        if self.deviation:
            self.on_progress(Progress(self.phase, None, None, objective, now))
        else:
            self.on_progress(Progress(self.phase, objective, bound, None, now))


def _priority(instance: Instance, placements: Sequence[Placement]) -> int:
    return sum(instance.jobs[placement.job].priority for placement in placements)


def _better(instance: Instance, placements: Sequence[Placement], than: Sequence[Placement]) -> bool:
    """Higher priority, or the same with less deviation."""

    def key(schedule: Sequence[Placement]) -> tuple[int, int]:
        return (_priority(instance, schedule), -deviation(instance, polish(instance, schedule)))

    return key(placements) > key(than)


def _realize(
    instance: Instance, starts: dict[int, int], seconds: float, seed: int
) -> tuple[list[Placement] | None, float]:
    """The relaxation's starts as a schedule of the exact model (None if they are not one), and the
    deterministic time spent finding out."""
    day_model = DayModel(instance)
    day_model.fix(starts)
    solver = deterministic_solver(seconds, REALIZE_DETERMINISTIC, seed, 1)
    status = solver.solve(day_model.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver.deterministic_time
    return day_model.placements(solver), solver.deterministic_time


def solve_model(
    instance: Instance,
    hint: Sequence[Placement],
    *,
    time_limit: float,
    seed: int = 0,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
) -> ModelResult:
    """Solve the stages within `time_limit` seconds, starting from the hinted placements (a schedule)."""
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
    # Stage 1: the relaxation's bound, and its schedule when the exact model accepts it.
    companion = None
    if COMPANION_DAY <= len(instance.jobs) <= COMPANION_MAX_DAY:
        companion = Companion(instance, best, seconds=clock.wall_left(1.0), seed=seed, workers=workers)
    relaxation = None
    if large:
        relaxation = solve_relaxation_mip(instance, best, seconds=clock.wall_left(LARGE_MIP_SHARE))
        clock.spend(clock.elapsed() - clock.nominal, 1.0)  # SCIP runs on the wall clock
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
        # (On a large day the relaxation may end past `priority_share`: checking its starts still pays.)
        check_share = IMPROVEMENT_SHARE if large else priority_share
        realized, spent = _realize(instance, relaxation.starts, max(0.1, clock.wall_left(check_share)), seed)
        clock.spend(spent, single)
        if realized is not None:
            best, best_priority = realized, relaxation.priority
            first = clock.elapsed()
    if companion is not None:
        found = companion.best()
        if found is not None and _priority(instance, found) >= max(best_priority, bound):
            # The companion holds a schedule of the proven priority: it runs on as the preference stage.
            report(1, bound, bound)
            finished = companion.finish() or found
            candidates = [finished, *([best] if best_priority >= bound else [])]
            chosen = min((polish(instance, c) for c in candidates), key=lambda p: deviation(instance, p))
            optimal = companion.status == cp_model.OPTIMAL
            return ModelResult(chosen, bound, optimal, first if first is not None else clock.elapsed())
        found = companion.stop()
        if found is not None and _better(instance, found, best):
            best, best_priority = found, _priority(instance, found)
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

    # Stage 4: keep the priority found, spend what is left on preferences (`neighbourhoods`).
    def improved(value: int) -> None:
        if on_progress is not None:
            on_progress(Progress(2, None, None, value, clock.elapsed()))

    preferences = improve_preferences(
        instance, best, seconds=clock.wall_left(1.0), seed=seed, workers=workers, on_improve=improved
    )
    return ModelResult(preferences.placements, bound, proven and preferences.proven, first)
