"""Progress reports of a solve, and the CP-SAT solution callback that sends them (`model.py`)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from msinfusion.scheduling.schedule import Schedule

__all__ = ["Progress", "ProgressCallback", "ProgressReporter"]


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


class ProgressReporter(cp_model.CpSolverSolutionCallback):
    """Sends a `Progress` report for every solution CP-SAT finds and notes when the first came."""

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
