"""A search on the exact model for both objectives at once, alongside the relaxation (anytime mode only).

The relaxation (`bounds.py`) proves the priority on one thread; on a busy machine that takes
seconds, and a plain re-solve would meanwhile use two workers on the preferences. So from the start
CP-SAT's large-neighbourhood search works on the exact model with the lexicographic objective as one
weighted sum, `priority x W - deviation` with `W` above any total deviation, from the greedy
schedule. When the relaxation is done, `anytime.settle` either lets this search run on as the
preference stage (it already holds a schedule of the proven priority) or stops it and takes its best
schedule if that is better. Its result depends on timing, so only `search="anytime"` starts it
(`model.py`, "Search modes").
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ortools.sat.python import cp_model

from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Placement
from msinfusion.scheduling.stopping import register

__all__ = ["Companion"]


class _Best(cp_model.CpSolverSolutionCallback):
    def __init__(self, read: object) -> None:
        super().__init__()
        self.read = read
        self.placements: list[Placement] | None = None
        self.lock = threading.Lock()

    def on_solution_callback(self) -> None:
        from msinfusion.scheduling.model import DayModel

        assert isinstance(self.read, DayModel)
        found = self.read.placements(self)
        with self.lock:
            self.placements = found


class Companion:
    """A background CP-SAT search for the weighted lexicographic objective."""

    def __init__(
        self, instance: Instance, hint: Sequence[Placement], *, seconds: float, seed: int, workers: int
    ) -> None:
        from msinfusion.scheduling.model import DayModel

        self.instance = instance
        self.day_model = day_model = DayModel(instance)
        weight = sum(instance.horizon + abs(job.preferred) + 1 for job in instance.jobs if job.preferred is not None)
        day_model.model.maximize((weight + 1) * day_model.priority - sum(day_model.deviations))
        day_model.hint(hint)
        self.solver = solver = register(cp_model.CpSolver())
        solver.parameters.num_workers = max(1, workers)
        solver.parameters.use_lns_only = True  # from the hinted schedule (see `neighbourhoods`)
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        self.callback = _Best(day_model)
        self.status: cp_model.CpSolverStatus | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.status = self.solver.solve(self.day_model.model, self.callback)

    def best(self) -> list[Placement] | None:
        """The best schedule found so far (None before the first)."""
        with self.callback.lock:
            return None if self.callback.placements is None else list(self.callback.placements)

    def stop(self) -> list[Placement] | None:
        """Stop the search and return its best schedule."""
        while self.thread.is_alive():  # (a stop asked before the search began would go unheard)
            self.solver.stop_search()
            self.thread.join(0.05)
        return self.best()

    def finish(self) -> list[Placement] | None:
        """Let the search run to its time limit and return its best schedule."""
        self.thread.join()
        return self.best()
