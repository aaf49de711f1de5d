"""Placements (a start, a chair and a nurse per task) and the bookkeeping of who is busy when.

`Occupancy` keeps one bit per grid unit for every chair and nurse and for the units where the nurse
ratio is full, so testing whether a job fits at a start is a handful of integer operations. The greedy
baseline, the repair pass after CP-SAT and the unscheduled reasons all use it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from msinfusion.scheduling.clock import format_clock
from msinfusion.scheduling.instance import Instance, Job
from msinfusion.scheduling.schedule import Assignment, NurseTask

__all__ = ["Blocker", "Occupancy", "Placement", "seat_in_groups", "to_assignment"]


@dataclass(frozen=True)
class Placement:
    """Where one job goes: its grid start, its chair and one nurse per nurse task (in task order)."""

    job: int
    start: int
    chair: str
    nurses: tuple[str, ...]


def _span(start: int, length: int) -> int:
    return ((1 << length) - 1) << start


@dataclass(frozen=True)
class Blocker:
    """Why a job does not fit at one start: the first resource found missing."""

    chair: bool
    nurse_task: str | None
    ratio: bool

    @property
    def fits(self) -> bool:
        return not self.chair and self.nurse_task is None and not self.ratio


class Occupancy:
    """Chairs, nurses and the nurse ratio of a partial schedule, one bit per grid unit."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        full_day = _span(0, instance.horizon)
        self.chairs = {chair: 0 for group in instance.chair_groups for chair in group.chairs}
        self.chair_features = {chair.id: frozenset(chair.features) for chair in instance.day.center.chairs}
        # A nurse is "busy" outside their shift, so one mask test covers the shift rule too.
        self.nurses: dict[str, int] = {}
        for nurse in instance.day.center.nurses:
            self.nurses[nurse.id] = full_day
        for group in instance.nurse_groups:
            for nurse_id in group.nurses:
                self.nurses[nurse_id] = full_day & ~_span(group.start, group.end - group.start)
        self.patients = [0] * instance.horizon
        self.full = 0
        for t, capacity in enumerate(instance.patient_capacity):
            if capacity == 0:
                self.full |= 1 << t
        self.placements: dict[int, Placement] = {}

    def eligible_chairs(self, job: Job) -> list[str]:
        """Chairs with the job's features (only its fixed chair if it has one)."""
        if job.fixed_chair is not None:
            return [job.fixed_chair] if job.requires <= self.chair_features[job.fixed_chair] else []
        return [chair for chair in self.chairs if job.requires <= self.chair_features[chair]]

    def starts(self, job: Job) -> list[int]:
        """Candidate starts, closest to the preferred start first (ties: earlier)."""
        if job.lo > job.hi:
            return []
        if job.fixed_start is not None:
            return [job.fixed_start] if job.lo <= job.fixed_start <= job.hi else []
        starts = range(job.lo, job.hi + 1)
        if job.preferred is None:
            return list(starts)
        preferred = job.preferred
        return sorted(starts, key=lambda s: (abs(s - preferred), s))

    def try_place(self, job: Job, start: int) -> Placement | Blocker:
        """The placement of `job` at `start` on free resources, or what blocks it."""
        stay = _span(start, job.duration)
        ratio = bool(self.full & stay)
        chair = next((c for c in self.eligible_chairs(job) if not self.chairs[c] & stay), None)
        nurses: list[str] = []
        missing_task = None
        # The tasks of one job lie in different phases, so they never overlap each other.
        for task in job.tasks:
            mask = _span(start + task.offset, task.length)
            nurse = next((n for n, busy in self.nurses.items() if not busy & mask), None)
            if nurse is None:
                missing_task = task.phase
                break
            nurses.append(nurse)
        if chair is None or missing_task is not None or ratio:
            return Blocker(chair=chair is None, nurse_task=missing_task, ratio=ratio)
        return Placement(job.index, start, chair, tuple(nurses))

    def place(self, placement: Placement) -> None:
        """Book a placement (it must fit)."""
        instance = self.instance
        job = instance.jobs[placement.job]
        stay = _span(placement.start, job.duration)
        self.chairs[placement.chair] |= stay
        for task, nurse in zip(job.tasks, placement.nurses, strict=True):
            self.nurses[nurse] |= _span(placement.start + task.offset, task.length)
        capacity = instance.patient_capacity
        for t in range(placement.start, placement.start + job.duration):
            self.patients[t] += 1
            if self.patients[t] >= capacity[t]:
                self.full |= 1 << t
        self.placements[job.index] = placement

    def remove(self, placement: Placement) -> None:
        """Take a booked placement out again."""
        instance = self.instance
        job = instance.jobs[placement.job]
        stay = _span(placement.start, job.duration)
        self.chairs[placement.chair] &= ~stay
        for task, nurse in zip(job.tasks, placement.nurses, strict=True):
            self.nurses[nurse] &= ~_span(placement.start + task.offset, task.length)
        capacity = instance.patient_capacity
        for t in range(placement.start, placement.start + job.duration):
            self.patients[t] -= 1
            if self.patients[t] < capacity[t]:
                self.full &= ~(1 << t)
        del self.placements[job.index]

    def place_first_fit(self, job: Job) -> Placement | None:
        """Place the job at its first candidate start that fits; None if none does."""
        for start in self.starts(job):
            found = self.try_place(job, start)
            if isinstance(found, Placement):
                self.place(found)
                return found
        return None


def seat_in_groups(
    instance: Instance,
    starts: dict[int, int],
    chair_group: dict[int, int],
    nurse_group: dict[tuple[int, int], int],
    *,
    prefer: Mapping[int, Placement] | None = None,
    continuity: bool = False,
) -> list[Placement]:
    """Give out concrete chairs and nurses within groups (interval colouring by start time).

    `nurse_group` maps (job, task number) to a nurse group. Valid whenever no group is ever asked for
    more members than it has at once, which the CP-SAT model guarantees. Taken in order of start, any
    free member may be chosen, so the choice follows, in turn: the chair or nurse `prefer` gives the
    job (a re-plan keeps what it can), with `continuity` the nurse of the job's previous task, and
    otherwise the nurse with the fewest task minutes so far (levelling the nurses' load).
    """
    prefer = prefer or {}
    chairs_of: dict[int, str] = {}
    for group in instance.chair_groups:
        members = [j for j, g in chair_group.items() if g == group.index]
        spans = sorted((starts[j], starts[j] + instance.jobs[j].duration, j) for j in members)
        wishes = [_wish(prefer, j, None) for _, _, j in spans]
        for (_, _, j), chair in zip(spans, _colour(spans, group.chairs, wishes), strict=True):
            chairs_of[j] = chair
    nurses_of: dict[tuple[int, int], str] = {}
    load: dict[str, int] = {}
    for nurse_grp in instance.nurse_groups:
        keys = [key for key, g in nurse_group.items() if g == nurse_grp.index]
        task_spans: list[tuple[int, int, tuple[int, int]]] = []
        for j, k in keys:
            task = instance.jobs[j].tasks[k]
            begin = starts[j] + task.offset
            task_spans.append((begin, begin + task.length, (j, k)))
        task_spans.sort()
        later = Counter(w for _, _, (j, k) in task_spans if (w := _wish(prefer, j, k)) is not None)
        free_at = dict.fromkeys(nurse_grp.nurses, 0)
        for begin, end, (j, k) in task_spans:
            free = [n for n in nurse_grp.nurses if free_at[n] <= begin]
            if not free:
                raise AssertionError("a resource group is over capacity")
            wanted = _wish(prefer, j, k)
            if wanted is not None:
                later[wanted] -= 1
            previous = nurses_of.get((j, k - 1)) if continuity and k > 0 else None
            if wanted in free:
                name = wanted
            elif previous in free:
                name = previous
            else:
                # The least-loaded nurse, leaving those later tasks want alone where possible.
                name = min(free, key=lambda n: (later[n] > 0, load.get(n, 0)))
            free_at[name] = max(end, begin)
            load[name] = load.get(name, 0) + end - begin
            nurses_of[(j, k)] = name
    return [
        Placement(
            j,
            starts[j],
            chairs_of[j],
            tuple(nurses_of[(j, k)] for k in range(len(instance.jobs[j].tasks))),
        )
        for j in sorted(starts)
    ]


def _wish(prefer: Mapping[int, Placement], job: int, task: int | None) -> str | None:
    placement = prefer.get(job)
    if placement is None:
        return None
    if task is None:
        return placement.chair
    return placement.nurses[task] if task < len(placement.nurses) else None


def _colour(
    spans: Sequence[tuple[int, int, object]], names: Sequence[str], wishes: Sequence[str | None]
) -> Iterable[str]:
    free_at = dict.fromkeys(names, 0)
    later = Counter(w for w in wishes if w is not None)
    for (start, end, _), wish in zip(spans, wishes, strict=True):
        if wish is not None:
            later[wish] -= 1
        free = [n for n in names if free_at[n] <= start]
        if not free:
            raise AssertionError("a resource group is over capacity")
        # The chair it had, else one no later visit wants back, where possible.
        name = wish if wish in free else next((n for n in free if not later[n]), free[0])
        free_at[name] = max(end, start)
        yield name


def to_assignment(instance: Instance, placement: Placement) -> Assignment:
    """The format's assignment for a placement, in clock minutes."""
    job = instance.jobs[placement.job]
    appointment = instance.day.appointments[placement.job]
    start = instance.to_minutes(placement.start)
    tasks = []
    offset = start
    task_number = 0
    for phase in appointment.resolved_phases:
        if phase.nurse_minutes > 0:
            tasks.append(
                NurseTask(
                    phase=phase.name,
                    nurse=placement.nurses[task_number],
                    start=offset,
                    end=offset + phase.nurse_minutes,
                )
            )
            task_number += 1
        offset += phase.minutes
    assert task_number == len(job.tasks)
    return Assignment(appointment=job.id, chair=placement.chair, start=start, end=offset, nurse_tasks=tasks)


def describe_span(instance: Instance, start: int, end: int) -> str:
    """`HH:MM-HH:MM` for a grid span."""
    return f"{format_clock(instance.to_minutes(start))}-{format_clock(instance.to_minutes(end))}"
