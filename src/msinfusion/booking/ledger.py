"""One open day of the center while it is being booked: who sits in which chair when, and who nurses them.

Each chair and nurse is a bitmask with one bit per minute of the opening hours, so testing a start is a
few integer operations. The nurse ratio is kept as a mask of the minutes that are full. A finished
ledger becomes the day as the day scheduler sees it (`msinfusion.day/1`) and its schedule
(`msinfusion.schedule/1`), which the day scheduler's own validator then checks.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from msinfusion.booking.request import BookingCenter, OpenDay
from msinfusion.scheduling.day import Appointment, Center, Day, Fixed, Phase
from msinfusion.scheduling.schedule import Assignment, NurseTask, Schedule, SolverInfo
from msinfusion.scheduling.validation import compute_objective

__all__ = ["GRID_MINUTES", "NOON", "DayLedger", "Seat", "Visit"]

GRID_MINUTES = 5
"""New visits start on a 5-minute grid (promised visits keep whatever start they have)."""

NOON = 12 * 60
"""'Morning' means a start before 12:00, as the format says."""


def _span(start: int, length: int) -> int:
    return ((1 << length) - 1) << start


@dataclass(frozen=True, slots=True)
class Seat:
    """A start (clock minutes), a chair and one nurse per nurse task."""

    start: int
    chair: str
    nurses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Visit:
    """A visit placed on the day: its appointment id, who, what, the phases and its seat."""

    appointment: str
    patient: str
    treatment: str
    phases: tuple[Phase, ...]
    seat: Seat

    @property
    def minutes(self) -> int:
        return sum(phase.minutes for phase in self.phases)


@functools.cache
def _shape(phases: tuple[Phase, ...]) -> tuple[int, tuple[tuple[int, int], ...]]:
    """A visit's chair minutes and its nurse tasks as (offset, minutes)."""
    tasks = []
    offset = 0
    for phase in phases:
        if phase.nurse_minutes > 0:
            tasks.append((offset, phase.nurse_minutes))
        offset += phase.minutes
    return offset, tuple(tasks)


class DayLedger:
    """The chairs, nurses and nurse ratio of one open day, and the visits placed on it."""

    def __init__(self, date: dt.date, hours: OpenDay, center: BookingCenter) -> None:
        self.date = date
        self.hours = hours
        self.center = center
        self.opens, self.closes = hours.opens, hours.closes
        length = self.closes - self.opens
        self.length = length
        self.capacity = math.floor((1 - center.headroom) * len(center.chairs) * length + 1e-9)
        self.chairs = {chair.id: 0 for chair in center.chairs}
        self.features = {chair.id: frozenset(chair.features) for chair in center.chairs}
        full_day = _span(0, length)
        self.nurses: dict[str, int] = {}
        change = [0] * (length + 1)
        # Nurses whose shift ends first are asked first: the later ones stay free for later tasks.
        for nurse in sorted(hours.nurses, key=lambda n: (n.shift_end, n.shift_start)):
            begin = max(0, nurse.shift_start - self.opens)
            end = min(length, nurse.shift_end - self.opens)
            busy = full_day
            if end > begin:
                busy &= ~_span(begin, end - begin)
                change[begin] += 1
                change[end] -= 1
            self.nurses[nurse.id] = busy
        on_shift = list(itertools.accumulate(change[:length]))
        self.allowed = [center.max_patients_per_nurse * n for n in on_shift]
        # The ratio only needs counting where it allows some patients but fewer than there are chairs.
        self.ratio_binds = any(0 < allowed < len(self.chairs) for allowed in self.allowed)
        self.patients = [0] * length
        self.full = 0
        for t, allowed in enumerate(self.allowed):
            if allowed == 0:
                self.full |= 1 << t
        self.load = 0
        self.visits: dict[str, Visit] = {}

    def room_for(self, minutes: int) -> bool:
        """Whether ``minutes`` more chair-minutes keep the day within its capacity less headroom."""
        return self.load + minutes <= self.capacity

    def try_seat(self, phases: Sequence[Phase], start: int, chair: str | None = None) -> Seat | None:
        """A seat at clock minute ``start`` on free resources (in ``chair`` if given), or ``None``."""
        if chair is not None and chair not in self.chairs:
            return None
        return self.first_seat(phases, (start,), chair)

    def first_seat(self, phases: Sequence[Phase], starts: Iterable[int], chair: str | None = None) -> Seat | None:
        """The seat at the first of ``starts`` that fits (in ``chair`` if given)."""
        starts = list(starts)
        if len(starts) > 1:
            # Snug first: a chair whose free stretch the visit touches at one end, so long gaps stay whole.
            snug = self._first_seat(phases, starts, chair, snug=True)
            if snug is not None:
                return snug
        return self._first_seat(phases, starts, chair, snug=False)

    def _first_seat(self, phases: Sequence[Phase], starts: list[int], chair: str | None, snug: bool) -> Seat | None:
        duration, tasks = _shape(tuple(phases))
        chairs = [(chair, self.chairs[chair])] if chair is not None else list(self.chairs.items())
        nurses = list(self.nurses.items())
        opens, length, full = self.opens, self.length, self.full
        whole = (1 << duration) - 1
        for start in starts:
            offset = start - opens
            end = offset + duration
            if offset < 0 or end > length:
                continue
            stay = whole << offset
            if full & stay:
                continue
            found = None
            for name, busy in chairs:
                if busy & stay:
                    continue
                if snug and not (offset == 0 or end == length or (busy >> (offset - 1)) & 1 or (busy >> end) & 1):
                    continue
                found = name
                break
            if found is None:
                continue
            picked: list[str] = []
            for task_offset, task_length in tasks:
                mask = ((1 << task_length) - 1) << (offset + task_offset)
                nurse = None
                for nurse_id, nurse_busy in nurses:
                    if not nurse_busy & mask:
                        nurse = nurse_id
                        break
                if nurse is None:
                    break
                picked.append(nurse)
            if len(picked) == len(tasks):
                return Seat(start, found, tuple(picked))
        return None

    def starts(self, minutes: int, time: str | None, anchor: int | None = None, spread: int = 0) -> list[int]:
        """Candidate starts on the grid: near ``anchor`` (within ``spread``) or by the time preference."""
        first = -(-self.opens // GRID_MINUTES) * GRID_MINUTES
        grid = list(range(first, self.closes - minutes + 1, GRID_MINUTES))
        if anchor is not None:
            near = [s for s in grid if abs(s - anchor) <= spread]
            if anchor >= self.opens and anchor + minutes <= self.closes and anchor not in near:
                near.append(anchor)
            return sorted(near, key=lambda s: (abs(s - anchor), s))
        if time == "morning":
            return [s for s in grid if s < NOON] + [s for s in grid if s >= NOON]
        if time == "afternoon":
            return [s for s in reversed(grid) if s >= NOON] + [s for s in reversed(grid) if s < NOON]
        return grid

    def fits(self, phases: Sequence[Phase], seat: Seat) -> bool:
        """Whether an exact seat (start, chair and nurses) is still free."""
        duration, tasks = _shape(tuple(phases))
        offset = seat.start - self.opens
        if offset < 0 or offset + duration > self.length or seat.chair not in self.chairs:
            return False
        stay = _span(offset, duration)
        if self.full & stay or self.chairs[seat.chair] & stay or len(tasks) != len(seat.nurses):
            return False
        return all(
            nurse in self.nurses and not self.nurses[nurse] & _span(offset + task_offset, length)
            for (task_offset, length), nurse in zip(tasks, seat.nurses, strict=True)
        )

    def place(self, appointment: str, patient: str, treatment: str, phases: Sequence[Phase], seat: Seat) -> Visit:
        """Book a seat found by :meth:`try_seat` (it must still be free)."""
        offset = seat.start - self.opens
        duration, tasks = _shape(tuple(phases))
        self.chairs[seat.chair] |= _span(offset, duration)
        for (task_offset, length), nurse in zip(tasks, seat.nurses, strict=True):
            self.nurses[nurse] |= _span(offset + task_offset, length)
        if self.ratio_binds:
            for t in range(offset, offset + duration):
                self.patients[t] += 1
                if self.patients[t] >= self.allowed[t]:
                    self.full |= 1 << t
        self.load += duration
        visit = Visit(appointment, patient, treatment, tuple(phases), seat)
        self.visits[appointment] = visit
        return visit

    def day(self) -> Day:
        """The day as the day scheduler sees it, every visit fixed at its start and chair."""
        center = self.center
        appointments = [
            Appointment(
                id=visit.appointment,
                patient=visit.patient,
                treatment=visit.treatment,
                phases=list(visit.phases),
                fixed=Fixed(start=visit.seat.start, chair=visit.seat.chair),
            )
            for visit in self._ordered()
        ]
        return Day(
            format="msinfusion.day/1",
            center=Center(
                name=center.name,
                date=self.date,
                timezone=center.timezone,
                opens=self.opens,
                closes=self.closes,
                chairs=list(center.chairs),
                nurses=list(self.hours.nurses),
                max_patients_per_nurse=center.max_patients_per_nurse,
            ),
            appointments=appointments,
        )

    def schedule(self, day: Day) -> Schedule:
        """The schedule of the placed visits (`msinfusion.schedule/1`)."""
        assignments = []
        for visit in self._ordered():
            tasks = []
            clock = visit.seat.start
            nurses = iter(visit.seat.nurses)
            for phase in visit.phases:
                if phase.nurse_minutes > 0:
                    tasks.append(
                        NurseTask(phase=phase.name, nurse=next(nurses), start=clock, end=clock + phase.nurse_minutes)
                    )
                clock += phase.minutes
            assignments.append(
                Assignment(
                    appointment=visit.appointment,
                    chair=visit.seat.chair,
                    start=visit.seat.start,
                    end=clock,
                    nurse_tasks=tasks,
                )
            )
        return Schedule(
            format="msinfusion.schedule/1",
            center=self.center.name,
            date=self.date,
            assignments=assignments,
            unscheduled=[],
            objective=compute_objective(day, assignments),
            solver=SolverInfo(name="booking", status="heuristic", seconds=0.0),
        )

    def _ordered(self) -> list[Visit]:
        return sorted(self.visits.values(), key=lambda v: (v.seat.start, v.seat.chair, v.appointment))
