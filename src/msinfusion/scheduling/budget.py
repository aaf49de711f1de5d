"""A solve's budgets: CP-SAT solvers stopped by deterministic or wall time, and the stages' two clocks.

Every solver made here registers with the solve's stop signal (`stopping.register`), so a scheduler's
cancel ends its search at once.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from msinfusion.scheduling.stopping import register

__all__ = ["StageClock", "deterministic_solver", "wall_solver"]


def deterministic_solver(seconds: float, deterministic: float, seed: int, workers: int) -> cp_model.CpSolver:
    """A solver stopped by deterministic time (wall seconds only as a cap), its workers interleaved."""
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.max_time_in_seconds = max(0.05, seconds)
    parameters.max_deterministic_time = max(0.05, deterministic)
    parameters.random_seed = seed
    parameters.num_workers = workers
    parameters.interleave_search = True
    return register(solver)


def wall_solver(seconds: float, seed: int, workers: int, *, lns_only: bool = False) -> cp_model.CpSolver:
    """A solver stopped by the wall clock only, its workers in parallel (faster, not reproducible)."""
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.max_time_in_seconds = max(0.05, seconds)
    parameters.random_seed = seed
    parameters.num_workers = workers
    parameters.use_lns_only = lns_only
    return register(solver)


class StageClock:
    """A solve's two clocks: wall seconds (each stage's cap) and nominal seconds, the deterministic time
    spent so far converted at each stage's calibrated rate. Stages get their deterministic budgets from
    the nominal clock only, so the budgets, like the search itself, do not depend on machine load."""

    def __init__(self, time_limit: float) -> None:
        self.time_limit = time_limit
        self.started = time.monotonic()
        self.nominal = 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wall_left(self, share: float) -> float:
        """Wall seconds until `share` of the time limit."""
        return max(0.0, self.time_limit * share - self.elapsed())

    def budget(self, share: float, rate: float) -> float:
        """Deterministic time until `share` of the time limit on the nominal clock."""
        return rate * max(0.0, self.time_limit * share - self.nominal)

    def spend(self, deterministic_time: float, rate: float) -> None:
        self.nominal += deterministic_time / rate
