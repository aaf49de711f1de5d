"""The deterministic preference stage: a hinted whole-day re-solve, then a large-neighbourhood search.

CP-SAT's own LNS runs only in its parallel, non-deterministic mode, and its interleaved
(deterministic) mode does far less preference work per second (`model.INTERLEAVED_PER_SECOND`). So
the preference stage runs on one worker under deterministic time limits, which is reproducible:

1. the whole day from scratch, as a plain re-solve would (the search is not steered toward the
   schedule so far; the window search below starts from it, so the pick is never worse);
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
from msinfusion.scheduling.preferences import deviation, polish
from msinfusion.scheduling.stopping import carried, register, stop_requested

__all__ = ["improve_preferences"]

WINDOW_MINUTES = 120
"""Width of the narrowest neighbourhood; a window slides by half its width."""
NEIGHBOURHOOD_DETERMINISTIC = 0.3
"""CP-SAT deterministic time for one 2-hour neighbourhood (wider ones get proportionally more)."""


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
        status = solver.solve(day_model.model)
        self.spent += solver.deterministic_time
        for index, values in saved:
            proto.variables[index].domain.clear()
            proto.variables[index].domain.extend(values)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, False
        found = polish(instance, day_model.placements(solver))
        value = deviation(instance, found)
        kept = sum(instance.jobs[p.job].priority for p in found) >= self.priority
        if kept and value < self.value:
            self.best, self.value = found, value
            return True, status == cp_model.OPTIMAL
        return False, status == cp_model.OPTIMAL


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
    the whole day was proven optimal. `on_improve` hears the better deviation (minutes), if any.

    The whole-day re-solve and the window search run side by side, each on one worker with its own
    deterministic budget (CP-SAT releases the interpreter while it solves), and the better result
    wins (ties: the whole day's); each is reproducible, so their pick is too.
    """
    if deterministic <= 0 or seconds <= 0:
        return list(placements), 0.0, False
    whole = _Search(instance, placements, seed)
    if not whole.has_preferences:
        return whole.best, 0.0, True
    windows = _Search(instance, placements, seed)
    proven: list[bool] = []
    thread = threading.Thread(
        target=carried(
            lambda: proven.append(whole.solve(range(len(instance.jobs)), deterministic, seconds, hinted=False)[1])
        )
    )
    thread.start()
    started = time.monotonic()
    _slide(windows, deterministic, seconds)
    budget, wall = deterministic - windows.spent, seconds - (time.monotonic() - started)
    if budget > 0 and wall > 0 and not stop_requested():
        # The windows found nothing more: the rest of this worker's budget goes to the whole day,
        # from the best schedule this side found.
        windows.solve(range(len(instance.jobs)), budget, wall)
    thread.join()
    winner = whole if whole.value <= windows.value else windows
    if on_improve is not None and winner.value < deviation(instance, list(placements)):
        on_improve(winner.value * instance.unit)
    return winner.best, max(whole.spent, windows.spent), bool(proven and proven[0]) and winner is whole


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
            if budget <= 0 or wall <= 0 or stop_requested():
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
