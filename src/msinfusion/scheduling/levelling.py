"""Levelling the nurses' load: with every start and chair kept, give nurse tasks out again so the busiest
nurse has as few task minutes as possible and, optionally, each visit keeps one primary nurse.

A stage after priority and preferences (lexicographic: neither can change, as no start moves). It is a
deterministic local search, not a CP-SAT solve: an exact per-nurse CP-SAT model with the starts fixed
spent 1-5 s of wall time in presolve alone on the 60- and 150-visit benchmark days at load 5-8 and
found nothing better than this search, which takes milliseconds.

1. **Continuity** (optional, a center setting): first, each task not done by its visit's first nurse
   goes to that nurse when they are free for it (one nurse for all of a visit's tasks where possible).
2. **Levelling**: while some of the busiest nurse's tasks can go to a nurse who is on shift and free
   for them and would still carry less than the busiest does now, move them (the largest first, to
   the least-loaded such nurse); with continuity a visit's tasks move together, so no visit sees
   more nurses. Each move lowers the sum of squared loads, so the search ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Placement

__all__ = ["busiest_nurse_minutes", "level_nurses", "nurse_loads"]

_Key = tuple[int, int]  # (job, task number)


def nurse_loads(instance: Instance, placements: Sequence[Placement]) -> dict[str, int]:
    """Task minutes per nurse (every nurse of the day, 0 for those without tasks)."""
    loads = {nurse.id: 0 for nurse in instance.day.center.nurses}
    for placement in placements:
        for task, nurse in zip(instance.jobs[placement.job].tasks, placement.nurses, strict=True):
            loads[nurse] = loads.get(nurse, 0) + task.length * instance.unit
    return loads


def busiest_nurse_minutes(instance: Instance, placements: Sequence[Placement]) -> int:
    """Task minutes of the busiest nurse (0 with no tasks)."""
    return max(nurse_loads(instance, placements).values(), default=0)


class _Board:
    """Who does which task, when, and each nurse's load, in grid units."""

    def __init__(self, instance: Instance, placements: Sequence[Placement]) -> None:
        self.shift = {n: (g.start, g.end) for g in instance.nurse_groups for n in g.nurses}
        self.span: dict[_Key, tuple[int, int]] = {}
        self.doer: dict[_Key, str] = {}
        self.tasks: dict[str, set[_Key]] = {n: set() for n in self.shift}
        self.load = dict.fromkeys(self.shift, 0)
        for placement in placements:
            for number, (task, nurse) in enumerate(
                zip(instance.jobs[placement.job].tasks, placement.nurses, strict=True)
            ):
                key = (placement.job, number)
                begin = placement.start + task.offset
                self.span[key] = (begin, begin + task.length)
                self.doer[key] = nurse
                self.tasks.setdefault(nurse, set()).add(key)
                self.load[nurse] = self.load.get(nurse, 0) + task.length

    def free(self, nurse: str, key: _Key) -> bool:
        begin, end = self.span[key]
        start, stop = self.shift.get(nurse, (0, -1))
        if begin < start or end > stop:
            return False
        return all(self.span[k][1] <= begin or self.span[k][0] >= end for k in self.tasks[nurse])

    def move(self, key: _Key, nurse: str) -> None:
        length = self.span[key][1] - self.span[key][0]
        old = self.doer[key]
        self.tasks[old].discard(key)
        self.load[old] -= length
        self.tasks[nurse].add(key)
        self.load[nurse] += length
        self.doer[key] = nurse


def level_nurses(instance: Instance, placements: Sequence[Placement], *, continuity: bool = False) -> list[Placement]:
    """The placements with nurse tasks given out again (see the module docstring); starts and chairs kept."""
    board = _Board(instance, placements)
    names = sorted(board.load)
    if continuity:
        for placement in placements:
            first = board.doer.get((placement.job, 0))
            for number in range(1, len(placement.nurses)):
                key = (placement.job, number)
                if first is not None and board.doer[key] != first and board.free(first, key):
                    board.move(key, first)
    while _level_once(board, names, continuity):
        pass
    return [
        replace(placement, nurses=tuple(board.doer[(placement.job, k)] for k in range(len(placement.nurses))))
        for placement in placements
    ]


def _level_once(board: _Board, names: list[str], continuity: bool) -> bool:
    """Move one bundle of the busiest nurse's tasks to a less-loaded nurse; False when none can go."""
    if not names:  # no nurse has a task (none on shift, or nothing placed): nothing to level
        return False
    busiest = max(names, key=lambda n: (board.load[n], n))
    top = board.load[busiest]
    by_visit: dict[int, list[_Key]] = {}
    for key in board.tasks[busiest]:
        by_visit.setdefault(key[0], []).append(key)
    # With continuity a visit's tasks move together (its nurse count never grows); otherwise one by one.
    bundles = list(by_visit.values()) if continuity else [[key] for keys in by_visit.values() for key in keys]
    bundles.sort(key=lambda keys: (-sum(board.span[k][1] - board.span[k][0] for k in keys), sorted(keys)))
    for keys in bundles:
        length = sum(board.span[k][1] - board.span[k][0] for k in keys)
        for other in sorted(names, key=lambda n: (board.load[n], n)):
            if other != busiest and board.load[other] + length < top and all(board.free(other, k) for k in keys):
                for key in keys:
                    board.move(key, other)
                return True
    return False
