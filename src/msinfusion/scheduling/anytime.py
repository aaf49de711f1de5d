"""The anytime search mode's additions to stage 1 (`model.solve_model` with `search="anytime"`).

Beside the relaxation, a day of `COMPANION_DAY` to `COMPANION_MAX_DAY` visits gets a weighted
lexicographic search on the exact model (`lexicographic.Companion`). When the relaxation is done,
`settle` either lets that search run on as the preference stage (it already holds a schedule of the
proven priority) or stops it and keeps its best schedule if that is better. On a day above
`model.LARGE_DAY` visits SCIP solves the relaxation first, until `LARGE_MIP_SHARE` of the wall time
limit. All of it runs on the wall clock, so an anytime solve is not reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.lexicographic import Companion
from msinfusion.scheduling.placement import Placement
from msinfusion.scheduling.preferences import deviation, polish

__all__ = ["COMPANION_DAY", "COMPANION_MAX_DAY", "LARGE_MIP_SHARE", "Settled", "settle", "start_companion"]

LARGE_MIP_SHARE = 0.85
"""On days above `model.LARGE_DAY` visits the relaxation is first solved by SCIP
(`bounds.solve_relaxation_mip`) until this share of the wall time limit: 150 visits, 48 chairs at
load 12 on 2 cores: 160 proven in 3.5-6 s and its starts a schedule, so the priority is proven optimal
(CP-SAT's stages: 154-156 against a bound of 161-164). If SCIP is cut off first, little time is left
for stages 2-3 (seed 2 at load 10: greedy's 141 against 157; with 0.7, seed 2 got 156 and seed 1
137). Without SCIP the CP-SAT relaxation runs."""
COMPANION_DAY = 12
"""From this many appointments a second thread searches the exact model for both objectives while
the relaxation runs; below it the relaxation takes hundredths of a second."""
COMPANION_MAX_DAY = 60
"""Above this many appointments the companion takes more from the priority than it gives to the
preferences (load 11-15 on 2 cores, seed 1: 100 visits 95 against 98-103 without it, 150 visits 139
against 160, as SCIP no longer proved the relaxation in time)."""


def start_companion(
    instance: Instance, hint: Sequence[Placement], *, seconds: float, seed: int, workers: int
) -> Companion | None:
    """The search beside the relaxation, started, on a day of the right size (else None)."""
    if COMPANION_DAY <= len(instance.jobs) <= COMPANION_MAX_DAY:
        return Companion(instance, hint, seconds=seconds, seed=seed, workers=workers)
    return None


@dataclass(frozen=True)
class Settled:
    """The best schedule after the companion; `done` if it ran on as the preference stage (then
    `optimal` says whether it proved its weighted objective)."""

    placements: list[Placement]
    done: bool
    optimal: bool = False


def _priority(instance: Instance, placements: Sequence[Placement]) -> int:
    return sum(instance.jobs[placement.job].priority for placement in placements)


def _better(instance: Instance, placements: Sequence[Placement], than: Sequence[Placement]) -> bool:
    """Higher priority, or the same with less deviation."""

    def key(schedule: Sequence[Placement]) -> tuple[int, int]:
        return (_priority(instance, schedule), -deviation(instance, polish(instance, schedule)))

    return key(placements) > key(than)


def settle(instance: Instance, companion: Companion, best: Sequence[Placement], bound: int) -> Settled:
    """After the relaxation: let the companion finish if it holds the proven priority `bound`, else
    stop it and keep the better of its schedule and `best`."""
    best_priority = _priority(instance, best)
    found = companion.best()
    if found is not None and _priority(instance, found) >= max(best_priority, bound):
        finished = companion.finish() or found
        candidates = [finished, *([best] if best_priority >= bound else [])]
        chosen = min((polish(instance, c) for c in candidates), key=lambda p: deviation(instance, p))
        return Settled(chosen, True, companion.status == cp_model.OPTIMAL)
    found = companion.stop()
    if found is not None and _better(instance, found, best):
        return Settled(found, False)
    return Settled(list(best), False)
