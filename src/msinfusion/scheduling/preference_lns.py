"""The anytime mode's preference stage (`model.py`, `search="anytime"`; the default mode uses
`neighbourhoods`): with the priority kept, minimise the total deviation from preferred starts.

A plain lexicographic re-solve (the priority fixed, a fresh CP-SAT search minimising the deviation)
starts from nothing: on a 30-60 visit day it spends seconds finding the schedules the priority stages
already hold, and on 100-150 visits it may find none in 10 s. This stage is that re-solve with what
the solve already knows and a search configured for this objective:

* **the incumbent as a hint** (polished first: `preferences.polish`), and the incumbent's deviation as
  an upper bound, so every solution CP-SAT reports improves on it;
* **large-neighbourhood search only** on the workers given: with two workers a plain portfolio spends
  its second one on heuristics (rins/rens, feasibility jump) that took seconds per call on these days,
  so its LNS hardly ran. (Ordering interchangeable visits by preferred start, valid for this
  objective, made the LNS worse: 2110 against 1830 min on 45 visits, 3055 against 2730 on 60.)

It runs in two steps. First one worker under a small deterministic budget (`PROOF_DETERMINISTIC`):
a small day is proven optimal there, and then the result is the same on every run. Otherwise the
parallel search runs until the wall time limit, which is faster but not reproducible (the day's
result then depends on machine speed and load). Every answer is polished again and taken only if
it keeps the priority and lowers the deviation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Placement
from msinfusion.scheduling.preferences import deviation, polish
from msinfusion.scheduling.stopping import register

if TYPE_CHECKING:
    from msinfusion.scheduling.model import DayModel

__all__ = ["PreferenceResult", "improve_preferences"]

PROOF_DETERMINISTIC = 0.25
"""CP-SAT deterministic time for the one-worker, reproducible attempt to prove the best deviation
(the 8-visit test days need a few hundredths; a 22-visit day is not proven in 2 units)."""


@dataclass(frozen=True)
class PreferenceResult:
    """The better placements (same priority), a lower bound on the deviation (grid units), whether
    the deviation is proven optimal, and the deterministic time spent."""

    placements: list[Placement]
    bound: int
    proven: bool
    deterministic_time: float


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_improve: Callable[[int], None] | None, unit: int) -> None:
        super().__init__()
        self.on_improve = on_improve
        self.unit = unit

    def on_solution_callback(self) -> None:
        if self.on_improve is not None:
            self.on_improve(round(self.objective_value) * self.unit)


def preference_model(instance: Instance, placements: Sequence[Placement]) -> DayModel:
    """The exact model with the priority of `placements` kept, the deviation minimised below that of
    `placements`, and `placements` as its hint."""
    from msinfusion.scheduling.model import DayModel

    day_model = DayModel(instance)
    model = day_model.model
    priority = sum(instance.jobs[p.job].priority for p in placements)
    model.add(day_model.priority >= priority)
    model.add(sum(day_model.deviations) <= deviation(instance, placements))
    model.minimize(sum(day_model.deviations))
    day_model.hint(placements)
    return day_model


def improve_preferences(
    instance: Instance,
    placements: Sequence[Placement],
    *,
    seconds: float,
    seed: int = 0,
    workers: int = 2,
    on_improve: Callable[[int], None] | None = None,
) -> PreferenceResult:
    """Better placements for the preferences with the same priority (see the module docstring).

    `on_improve` hears each better deviation CP-SAT finds (minutes, before the final polish).
    """
    started = time.monotonic()
    best = polish(instance, placements)
    value = deviation(instance, best)
    if value == 0 or seconds <= 0:
        return PreferenceResult(best, value if value == 0 else 0, value == 0, 0.0)
    day_model = preference_model(instance, best)
    spent = 0.0
    bound = 0
    for parallel in (False, True):
        wall = seconds - (time.monotonic() - started)
        if wall <= 0.05:
            break
        solver = register(cp_model.CpSolver())
        parameters = solver.parameters
        parameters.random_seed = seed
        parameters.max_time_in_seconds = wall
        if parallel:
            parameters.num_workers = max(1, workers)
            parameters.use_lns_only = True
        else:
            parameters.num_workers = 1
            parameters.max_deterministic_time = PROOF_DETERMINISTIC
        status = solver.solve(day_model.model, _Callback(on_improve, instance.unit))
        spent += solver.deterministic_time
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = polish(instance, day_model.placements(solver))
            if deviation(instance, found) < value:
                best, value = found, deviation(instance, found)
                day_model.hint(best)
            bound = max(bound, min(value, _ceil(solver.best_objective_bound)))
        if status == cp_model.OPTIMAL:
            return PreferenceResult(best, value, True, spent)
    return PreferenceResult(best, bound, bound >= value, spent)


def _ceil(value: float) -> int:
    return 0 if math.isinf(value) else math.ceil(value - 1e-6)
