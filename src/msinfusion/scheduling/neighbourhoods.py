"""The deterministic preference stage: a time-indexed relaxation, then a large-neighbourhood search.

CP-SAT's own LNS runs only in its parallel, non-deterministic mode, and its interleaved
(deterministic) mode does far less preference work per second (`model.INTERLEAVED_PER_SECOND`). So
the preference stage runs on one worker per thread under deterministic time limits, which is
reproducible:

1. the time-indexed relaxation for the deviation (`preference_relaxation`), with up to
   `RELAXATION_SHARE` of the budget, its starts checked on the exact model; if it proves its
   optimum and the exact model accepts its starts, that is the best deviation and the stage ends.
   Otherwise this thread goes on as the window search below from the better of its schedule and the
   schedule so far, with the rest of its budget. (It replaced a whole-day re-solve from scratch, as a
   plain re-solve would do: 30-visit benchmark day 615 min proven in 1.9 units against 805-890,
   45 visits 1510 against 1850, 60 visits 1760-1790 against 2710-2865.)
2. side by side with it (a second thread; each gets the whole budget), windows of 2, 4 and 8 hours
   slide over the day: the visits whose start or preferred start falls in a window are re-solved
   (starts, chairs, nurses) with every other visit's start frozen. Back to the narrowest window after
   an improvement, wider after a sweep without one; once the widest finds nothing, the rest of its
   budget goes to a whole-day re-solve hinted with its best schedule.

A neighbourhood's answer is taken only when it lowers the total deviation with the priority kept.
One model is built; freezing a visit narrows its variables' domains in the model's proto and is
undone after the neighbourhood, so a neighbourhood costs a solve, not a model build.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence

from ortools.sat.python import cp_model

from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Placement
from msinfusion.scheduling.preference_relaxation import relax_preferences
from msinfusion.scheduling.preferences import deviation, polish
from msinfusion.scheduling.stopping import carried, register, stop_requested

__all__ = ["improve_preferences"]

WINDOW_MINUTES = 120
"""Width of the narrowest neighbourhood; a window slides by half its width."""
NEIGHBOURHOOD_DETERMINISTIC = 0.3
"""CP-SAT deterministic time for one 2-hour neighbourhood (wider ones get proportionally more)."""
RELAXATION_SHARE = 0.6
"""Share of the stage's deterministic budget the relaxation may take (30 visits: proven in 1.9 units;
45 visits: 1510 min after 2 units, 1490 after 4)."""


class _Search:
    def __init__(self, instance: Instance, placements: Sequence[Placement], seed: int) -> None:
        from msinfusion.scheduling.model import DayModel

        self.instance = instance
        self.seed = seed
        self.best = list(placements)
        self.priority = sum(instance.jobs[p.job].priority for p in self.best)
        self.value = deviation(instance, self.best)
        self.day_model = DayModel(instance)
        self.has_preferences = bool(self.day_model.deviations)
        model = self.day_model.model
        model.add(self.day_model.priority >= self.priority)
        model.minimize(sum(self.day_model.deviations))
        self.spent = 0.0
        self.stop = threading.Event()
        self.solver: cp_model.CpSolver | None = None

    def take(self, placements: Sequence[Placement]) -> bool:
        """Keep `placements` (polished) if they keep the priority and lower the deviation."""
        found = polish(self.instance, placements)
        value = deviation(self.instance, found)
        kept = sum(self.instance.jobs[p.job].priority for p in found) >= self.priority
        if kept and value < self.value:
            self.best, self.value = found, value
            return True
        return False

    def halt(self) -> None:
        """Stop this search (from another thread): its running solve and any to come."""
        self.stop.set()
        solver = self.solver
        if solver is not None:
            solver.stop_search()

    def solve(
        self, free: Collection[int], deterministic: float, seconds: float, *, hinted: bool = True
    ) -> tuple[bool, bool]:
        """Re-solve the `free` jobs with the rest frozen; (improved, proven optimal)."""
        instance, day_model = self.instance, self.day_model
        proto = day_model.model.proto
        at = {p.job: p for p in self.best}
        saved: list[tuple[int, list[int]]] = []
        for job, job_vars in zip(instance.jobs, day_model.variables.jobs, strict=True):
            if job.index in free:
                continue
            placement = at.get(job.index)
            pinned = [(job_vars.present, int(placement is not None))]
            if placement is not None:
                pinned.append((job_vars.start, placement.start))
            for variable, value in pinned:
                domain = proto.variables[variable.index].domain
                saved.append((variable.index, list(domain)))
                domain.clear()
                domain.extend([value, value])
        if hinted:
            day_model.hint(self.best)
        solver = register(cp_model.CpSolver())
        parameters = solver.parameters
        parameters.num_workers = 1
        parameters.random_seed = self.seed
        parameters.max_deterministic_time = max(0.01, deterministic)
        parameters.max_time_in_seconds = max(0.05, seconds)
        self.solver = solver
        status = solver.solve(day_model.model) if not self.stop.is_set() else cp_model.UNKNOWN
        self.solver = None
        self.spent += solver.deterministic_time
        for index, values in saved:
            proto.variables[index].domain.clear()
            proto.variables[index].domain.extend(values)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, False
        return self.take(day_model.placements(solver)), status == cp_model.OPTIMAL


def improve_preferences(
    instance: Instance,
    placements: Sequence[Placement],
    *,
    deterministic: float,
    seconds: float,
    seed: int = 0,
    on_improve: Callable[[int], None] | None = None,
) -> tuple[list[Placement], float, bool]:
    """Better placements for the preferences (same priority), the deterministic time spent, and whether
    the deviation was proven optimal. `on_improve` hears the better deviation (minutes), if any.

    The relaxation's thread and the window search run side by side, each on one worker with its own
    deterministic budget (CP-SAT releases the interpreter while it solves), and the better result
    wins (ties: the relaxation's); each is reproducible, so their pick is too. When the relaxation
    proves its schedule optimal the window search is stopped: its result could not win.
    """
    if deterministic <= 0 or seconds <= 0:
        return list(placements), 0.0, False
    relaxed = _Search(instance, placements, seed)
    if not relaxed.has_preferences:
        return relaxed.best, 0.0, True
    windows = _Search(instance, placements, seed)
    proven: list[bool] = []
    thread = threading.Thread(
        target=carried(lambda: proven.append(_relax_then_slide(relaxed, windows, deterministic, seconds)))
    )
    thread.start()
    started = time.monotonic()
    _slide(windows, deterministic, seconds)
    _finish(windows, deterministic, seconds - (time.monotonic() - started))
    thread.join()
    winner = relaxed if relaxed.value <= windows.value else windows
    if on_improve is not None and winner.value < deviation(instance, list(placements)):
        on_improve(winner.value * instance.unit)
    return winner.best, max(relaxed.spent, windows.spent), bool(proven and proven[0]) and winner is relaxed


def _relax_then_slide(search: _Search, other: _Search, deterministic: float, seconds: float) -> bool:
    """The relaxation, then (unless it proved its schedule optimal) the window search from the better
    schedule; whether the deviation is proven optimal (then `other` is stopped)."""
    started = time.monotonic()
    relaxation = relax_preferences(
        search.instance,
        search.best,
        deterministic=RELAXATION_SHARE * deterministic,
        deadline=started + seconds,
        seed=search.seed,
    )
    search.spent += relaxation.deterministic_time
    if relaxation.placements is not None:
        search.take(relaxation.placements)
    if search.value <= relaxation.bound:
        other.halt()
        return True
    _slide(search, deterministic, seconds - (time.monotonic() - started))
    _finish(search, deterministic, seconds - (time.monotonic() - started))
    return False


def _finish(search: _Search, deterministic: float, seconds: float) -> None:
    """The rest of the search's budget on a whole-day re-solve from its best schedule."""
    budget = deterministic - search.spent
    if budget > 0 and seconds > 0 and not search.stop.is_set() and not stop_requested():
        search.solve(range(len(search.instance.jobs)), budget, seconds)


def _slide(search: _Search, deterministic: float, seconds: float) -> None:
    """Windows of 2, 4 and 8 hours over the day; narrowest again after an improvement."""
    instance = search.instance
    started = time.monotonic()
    widths = [w // instance.unit for w in (WINDOW_MINUTES, 2 * WINDOW_MINUTES, 4 * WINDOW_MINUTES)]
    widths = [w for w in widths if 0 < w < instance.horizon]
    level = 0
    while level < len(widths):
        width = widths[level]
        improved_here = False
        for low in range(0, max(1, instance.horizon - width // 2), max(1, width // 2)):
            budget, wall = deterministic - search.spent, seconds - (time.monotonic() - started)
            if budget <= 0 or wall <= 0 or search.stop.is_set() or stop_requested():
                return
            at = {p.job: p for p in search.best}
            free = {
                job.index
                for job in instance.jobs
                if job.preferred is not None
                and (
                    low <= job.preferred < low + width or (job.index in at and low <= at[job.index].start < low + width)
                )
            }
            if free:
                limit = min(NEIGHBOURHOOD_DETERMINISTIC * width * instance.unit / WINDOW_MINUTES, budget)
                improved_here |= search.solve(free, limit, wall)[0]
        level = 0 if improved_here else level + 1
