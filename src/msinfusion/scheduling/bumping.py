"""Making room for a visit at the start it wants: move as few promised visits as possible, by hand.

For each chair the visit may use, the visits not yet started that hold that chair over the wanted stay
step aside, and then, while a nurse or the nurse ratio is still missing, the visit overlapping the stay
most that holds what is missing (a nurse over a blocked task, a place under the ratio). Then the
visit goes in at the start it wants, and each visit that stepped aside goes back at the free start
closest to its own (the same start in another chair moves no promise; none: it leaves the day). The
best chair is the one where fewest visits leave the day, then fewest starts change, then by fewest
minutes. Seated visits, visits with a fixed start and visits fixed to a chair that is wanted never
step aside. No solver: the answer comes in milliseconds, and the validator checks it like any other.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from msinfusion.scheduling.instance import Instance, Job
from msinfusion.scheduling.placement import Blocker, Occupancy, Placement

__all__ = ["MadeRoom", "make_room"]

MAX_ASIDE = 8
"""At most this many visits step aside for one add-on (more is not a sensible offer)."""


@dataclass(frozen=True)
class MadeRoom:
    """Every placement of the day with the visit in; the jobs whose start changed and those left out."""

    placements: list[Placement]
    moved: tuple[int, ...]
    dropped: tuple[int, ...]
    minutes: int

    @property
    def score(self) -> tuple[int, int, int]:
        return (len(self.dropped), len(self.moved), self.minutes)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def make_room(
    instance: Instance,
    placements: Mapping[int, Placement],
    begun: int,
    job: Job,
    start: int,
    *,
    deadline: float | None = None,
) -> MadeRoom | None:
    """The best way found to put `job` at grid `start` moving others (None if none); see the module
    docstring. `begun` is the first grid unit at or after now; past `deadline` (monotonic seconds) no
    further chair is tried."""
    occupancy = Occupancy(instance)
    for placement in placements.values():
        occupancy.place(placement)
    stay = (start, start + job.duration)
    if start < begun or stay[1] > instance.horizon:
        return None
    best: MadeRoom | None = None
    for chair in occupancy.eligible_chairs(job):
        if deadline is not None and best is not None and time.monotonic() > deadline:
            break
        found = _with_chair(occupancy, placements, begun, job, start, chair)
        if found is not None and (best is None or found.score < best.score):
            best = found
        if best is not None and best.score[:2] == (0, 0):
            break  # chairs swapped at the same starts: nothing better exists
    return best


def _movable(instance: Instance, placement: Placement, begun: int) -> bool:
    job = instance.jobs[placement.job]
    return placement.start >= begun and job.fixed_start is None


def _with_chair(
    occupancy: Occupancy,
    placements: Mapping[int, Placement],
    begun: int,
    job: Job,
    start: int,
    chair: str,
) -> MadeRoom | None:
    instance = occupancy.instance
    stay = (start, start + job.duration)
    holders = [
        p
        for p in occupancy.placements.values()
        if p.chair == chair and _overlap(stay, (p.start, p.start + instance.jobs[p.job].duration))
    ]
    if any(not _movable(instance, p, begun) for p in holders):
        return None
    aside = list(holders)
    for p in aside:
        occupancy.remove(p)
    try:
        placed = None
        while len(aside) <= MAX_ASIDE:
            # Another chair may turn out free too: as good as this one.
            found = occupancy.try_place(job, start)
            if isinstance(found, Placement):
                placed = found
                break
            extra = _next_aside(occupancy, begun, job, start, found)
            if extra is None:
                break
            occupancy.remove(extra)
            aside.append(extra)
        if placed is None:
            return None
        return _put_back(occupancy, placements, begun, placed, aside)
    finally:
        for p in list(occupancy.placements.values()):
            if p.job not in placements or placements[p.job] != p:
                occupancy.remove(p)
        for p in placements.values():
            if p.job not in occupancy.placements:
                occupancy.place(p)


def _next_aside(occupancy: Occupancy, begun: int, job: Job, start: int, blocker: Blocker) -> Placement | None:
    """The placed visit to step aside next: the one overlapping the stay most that holds what is missing."""
    instance = occupancy.instance
    stay = (start, start + job.duration)
    task = next((t for t in job.tasks if t.phase == blocker.nurse_task), None)
    spans = [stay] if task is None else [(start + task.offset, start + task.offset + task.length)]
    candidates: list[tuple[int, int, Placement]] = []
    for p in occupancy.placements.values():
        if not _movable(instance, p, begun):
            continue
        other = instance.jobs[p.job]
        if task is None:
            held = [(p.start, p.start + other.duration)]
        else:
            held = [(p.start + t.offset, p.start + t.offset + t.length) for t in other.tasks]
        overlap = sum(_overlap(span, h) for span in spans for h in held)
        if overlap:
            candidates.append((overlap, -p.start, p))
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


def _put_back(
    occupancy: Occupancy,
    placements: Mapping[int, Placement],
    begun: int,
    placed: Placement,
    aside: list[Placement],
) -> MadeRoom:
    instance = occupancy.instance
    occupancy.place(placed)
    moved: list[int] = []
    dropped: list[int] = []
    minutes = 0
    for old in sorted(aside, key=lambda p: (p.start, p.job)):
        job = instance.jobs[old.job]
        lo = max(job.lo, begun)
        starts = sorted(range(lo, job.hi + 1), key=lambda s: (abs(s - old.start), s))
        again = None
        for s in starts:
            found = occupancy.try_place(job, s)
            if isinstance(found, Placement):
                again = found
                break
        if again is None:
            dropped.append(old.job)
            continue
        occupancy.place(again)
        if again.start != old.start:
            moved.append(old.job)
            minutes += abs(again.start - old.start) * instance.unit
    result = sorted(occupancy.placements.values(), key=lambda p: p.job)
    return MadeRoom(result, tuple(moved), tuple(dropped), minutes)
