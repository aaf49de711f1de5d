"""What-if: run a day's schedule many times with the day's uncertainty, and compare two schedules.

Each run plays the schedule forward, minute-exact, with:

* **no-shows**: each patient stays away with probability `no_show_rate` (default 5 %, the median
  no-show rate in `shared/reference/scheduling.md` §1-2);
* **durations**: where the center has history for the treatment (`durations.learn_durations`, at least
  `min_count` visits), each segment's minutes are drawn from the recorded ones; otherwise the
  infusion phase is drawn from a lognormal around its planned minutes with `infusion_cv` (default 0.2)
  and, with probability `reaction_rate` (default 0.1), lengthened by a reaction of 15-60 minutes
  (the model proposed in reference §2: CV 0.15-0.25, reactions p 0.1-0.35, +15-60 min); other
  phases take their planned minutes. These are simulation defaults, not clinical facts;
* **add-ons**: each planned visit brings an unplanned one with probability `add_on_rate` (default 0),
  shaped like a random visit of the day, arriving at a uniform time it can still finish by closing,
  taking the first chair whose planned visits leave it free for its whole stay; when no chair is,
  the add-on is turned away (counted in `expected_add_ons_turned_away`).

Patients arrive at their planned start. A visit starts when its patient is there and its chair is
free; each nurse task waits for its planned nurse, or, if they are busy, for the nurse on shift free
soonest; a phase runs from when its nurse task starts. The runs use one seeded random generator, so a
result is the same on every machine; two schedules compared with one seed see the same patients stay
away (common random numbers).

Outputs: expected overtime past closing (and its chance), patient waiting, chair and nurse
utilization, and each patient's chance of finishing after closing.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from msinfusion.scheduling.day import Day, with_catalog_phases
from msinfusion.scheduling.durations import MIN_COUNT, LearnedDurations, segment_of
from msinfusion.scheduling.schedule import Schedule

__all__ = ["Comparison", "SimulationResult", "SimulationSettings", "compare", "simulate"]


@dataclass(frozen=True)
class SimulationSettings:
    """How many runs, the seed, and the day's uncertainty (see the module docstring for defaults)."""

    runs: int = 1000
    seed: int = 0
    no_show_rate: float = 0.05
    add_on_rate: float = 0.0
    infusion_cv: float = 0.2
    reaction_rate: float = 0.1
    reaction_minutes: tuple[int, int] = (15, 60)
    learned: Mapping[tuple[str, str | None], LearnedDurations] = field(default_factory=dict)
    min_count: int = MIN_COUNT


@dataclass(frozen=True)
class SimulationResult:
    """Averages over the runs; `late_chance` maps each scheduled appointment to P(finishes after closing
    | the patient came)."""

    runs: int
    expected_overtime_minutes: float
    overtime_chance: float
    mean_wait_minutes: float
    p90_wait_minutes: float
    chair_utilization: float
    nurse_utilization: float
    expected_no_shows: float
    expected_add_ons: float
    expected_add_ons_turned_away: float
    late_chance: dict[str, float]


@dataclass(frozen=True)
class _Group:
    """Phases drawn together: a recorded segment (`samples`), the default infusion model, or kept as planned."""

    members: tuple[int, ...]
    samples: tuple[int, ...] | None
    planned: int
    infusion: bool


@dataclass
class _Visit:
    key: str
    arrival: int
    chair: int
    phases: list[tuple[int, int]]  # (minutes, nurse minutes)
    segments: list[str]
    nurses: list[int]  # planned nurse per phase (-1: no task)
    treatment: str
    total: int = 0  # planned minutes of the whole visit
    # How the sampler draws this visit's minutes (set once per simulation, see _Sampler.groups).
    groups: list[_Group] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.total = sum(m for m, _ in self.phases)


def _visits(day: Day, schedule: Schedule, chairs: dict[str, int], nurses: dict[str, int]) -> list[_Visit]:
    by_id = {a.id: a for a in day.appointments}
    visits = []
    for assignment in sorted(schedule.assignments, key=lambda a: (a.start, a.appointment)):
        appointment = by_id[assignment.appointment]
        phases = appointment.resolved_phases
        tasks = iter(assignment.nurse_tasks)
        planned = [nurses[next(tasks).nurse] if p.nurse_minutes > 0 else -1 for p in phases]
        visits.append(
            _Visit(
                assignment.appointment,
                assignment.start,
                chairs[assignment.chair],
                [(p.minutes, p.nurse_minutes) for p in phases],
                list(segment_of(phases)),
                planned,
                appointment.treatment,
            )
        )
    return visits


class _Sampler:
    """Draws one visit's phase minutes: recorded segments where there is history, else the default model."""

    def __init__(self, settings: SimulationSettings, rng: random.Random) -> None:
        self.settings = settings
        self.rng = rng
        cv = settings.infusion_cv
        self.sigma = math.sqrt(math.log(1 + cv * cv))
        self.mu = -self.sigma * self.sigma / 2  # mean-preserving lognormal factor
        self.history: dict[str, dict[str, tuple[int, ...]]] = {}
        for (treatment, step), learned in settings.learned.items():
            if step is None:
                self.history[treatment] = {
                    name: found.samples for name, found in learned.segments.items() if found.count >= settings.min_count
                }

    def groups(self, visit: _Visit) -> list[_Group]:
        """The visit's segments, each with the recorded minutes to draw from (if there are enough)."""
        history = self.history.get(visit.treatment, {})
        segments = visit.segments
        if "chair" in history and not any(s in history for s in segments):
            # Only whole stays were recorded: they scale the whole visit.
            segments = ["chair"] * len(segments)
        groups = []
        for segment in dict.fromkeys(segments):
            members = tuple(i for i, s in enumerate(segments) if s == segment)
            samples = history.get(segment) or None
            planned = sum(visit.phases[i][0] for i in members) or 1
            groups.append(_Group(members, samples, planned, segment == "infusion"))
        return groups

    def minutes(self, visit: _Visit) -> list[int]:
        rng = self.rng
        phases = visit.phases
        result = [m for m, _ in phases]
        for group in visit.groups:
            if group.samples:
                ratio = rng.choice(group.samples) / group.planned
                for i in group.members:
                    result[i] = max(phases[i][1], round(result[i] * ratio))
            elif group.infusion:
                i = group.members[0]
                drawn = (
                    result[i] * rng.lognormvariate(self.mu, self.sigma) if self.settings.infusion_cv > 0 else result[i]
                )
                if rng.random() < self.settings.reaction_rate:
                    drawn += rng.randint(*self.settings.reaction_minutes)
                result[i] = max(phases[i][1], round(drawn))
        return result


def simulate(day: Day, schedule: Schedule, settings: SimulationSettings | None = None) -> SimulationResult:
    """Play `schedule` forward `settings.runs` times and average what happened."""
    settings = settings or SimulationSettings()
    day = with_catalog_phases(day)
    center = day.center
    chairs = {chair.id: i for i, chair in enumerate(center.chairs)}
    nurse_ids = {nurse.id: i for i, nurse in enumerate(center.nurses)}
    shifts = [(n.shift_start, n.shift_end) for n in center.nurses]
    visits = _visits(day, schedule, chairs, nurse_ids)
    rng = random.Random(settings.seed)
    sampler = _Sampler(settings, rng)
    for visit in visits:
        visit.groups = sampler.groups(visit)
    open_minutes = center.closes - center.opens
    shift_minutes = sum(end - start for start, end in shifts) or 1
    overtime_total = overtime_runs = 0.0
    chair_total = nurse_total = 0.0
    no_shows = add_ons = turned_away = 0
    waits: list[float] = []
    came = dict.fromkeys((v.key for v in visits), 0)
    late = dict.fromkeys((v.key for v in visits), 0)
    for _ in range(max(1, settings.runs)):
        # Drawn in the day's order, so two schedules of one day see the same patients stay away.
        absent = {a.id for a in day.appointments if rng.random() < settings.no_show_rate}
        today = [v for v in visits if v.key not in absent]
        no_shows += len(visits) - len(today)
        extra, away = _add_ons(visits, settings, rng, center.opens, center.closes, len(chairs))
        add_ons += len(extra)
        turned_away += away
        run = _run(today + extra, sampler, shifts, len(chairs))
        ends, wait, chair_minutes, nurse_minutes = run
        last = max(ends.values(), default=center.opens)
        overtime = max(0, last - center.closes)
        overtime_total += overtime
        overtime_runs += overtime > 0
        chair_total += chair_minutes
        nurse_total += nurse_minutes
        waits.extend(wait)
        for visit in today:
            came[visit.key] += 1
            late[visit.key] += ends[id(visit)] > center.closes
    runs = max(1, settings.runs)
    waits.sort()
    return SimulationResult(
        runs=runs,
        expected_overtime_minutes=overtime_total / runs,
        overtime_chance=overtime_runs / runs,
        mean_wait_minutes=sum(waits) / len(waits) if waits else 0.0,
        p90_wait_minutes=waits[min(len(waits) - 1, int(0.9 * len(waits)))] if waits else 0.0,
        chair_utilization=chair_total / runs / (len(chairs) * open_minutes or 1),
        nurse_utilization=nurse_total / runs / shift_minutes,
        expected_no_shows=no_shows / runs,
        expected_add_ons=add_ons / runs,
        expected_add_ons_turned_away=turned_away / runs,
        late_chance={key: late[key] / came[key] if came[key] else 0.0 for key in came},
    )


def _add_ons(
    visits: list[_Visit], settings: SimulationSettings, rng: random.Random, opens: int, closes: int, chairs: int
) -> tuple[list[_Visit], int]:
    """The add-ons of one run that found a free chair, and how many were turned away."""
    if settings.add_on_rate <= 0 or not visits:
        return [], 0
    count = sum(1 for _ in visits if rng.random() < settings.add_on_rate)
    extra: list[_Visit] = []
    for number in range(count):
        template = rng.choice(visits)
        minutes = template.total
        arrival = rng.randint(opens, max(opens, closes - minutes))
        chair = _free_chair([*visits, *extra], chairs, arrival, minutes)
        if chair is None:
            continue
        extra.append(
            _Visit(
                f"add-on {number}",
                arrival,
                chair,
                template.phases,
                template.segments,
                [-1] * len(template.phases),
                template.treatment,
                groups=template.groups,
            )
        )
    return extra, count - len(extra)


def _free_chair(visits: list[_Visit], chairs: int, arrival: int, minutes: int) -> int | None:
    """The first chair the planned visits leave free from `arrival` for `minutes`, if any."""
    clash = [False] * chairs
    for visit in visits:
        end = visit.arrival + visit.total
        if visit.arrival < arrival + minutes and end > arrival:
            clash[visit.chair] = True
    return next((c for c in range(chairs) if not clash[c]), None)


def _run(
    visits: list[_Visit], sampler: _Sampler, shifts: list[tuple[int, int]], chairs: int
) -> tuple[dict[int, int], list[float], int, int]:
    """One run: each visit's end (by `id`), each patient's wait, chair minutes and nurse minutes used."""
    queues: list[list[_Visit]] = [[] for _ in range(chairs)]
    for visit in sorted(visits, key=lambda v: v.arrival):
        queues[visit.chair].append(visit)
    position = [0] * chairs
    nurse_free = [start for start, _ in shifts]
    heap: list[tuple[int, int, int, int]] = []  # (ready, sequence, visit number, phase)
    state: list[tuple[_Visit, list[int]]] = []
    waited: list[float] = []
    started: list[int] = []
    ends: dict[int, int] = {}
    chair_minutes = nurse_minutes = 0
    sequence = 0

    def begin(chair: int, ready: int) -> None:
        nonlocal sequence
        queue = queues[chair]
        if position[chair] >= len(queue):
            return
        visit = queue[position[chair]]
        position[chair] += 1
        state.append((visit, sampler.minutes(visit)))
        waited.append(0.0)
        number = len(state) - 1
        start = max(ready, visit.arrival)
        started.append(start)
        waited[number] += start - visit.arrival
        advance(number, 0, start)

    def advance(number: int, phase: int, at: int) -> None:
        nonlocal sequence, chair_minutes
        visit, minutes = state[number]
        while phase < len(minutes) and visit.phases[phase][1] == 0:
            at += minutes[phase]
            phase += 1
        if phase == len(minutes):
            ends[id(visit)] = at
            chair_minutes += at - started[number]
            begin(visit.chair, at)
            return
        sequence += 1
        heapq.heappush(heap, (at, sequence, number, phase))

    for chair in range(chairs):
        begin(chair, 0)
    while heap:
        ready, _, number, phase = heapq.heappop(heap)
        visit, minutes = state[number]
        task = visit.phases[phase][1]
        nurse = visit.nurses[phase]
        if nurse < 0 or nurse_free[nurse] > ready or shifts[nurse][1] < ready + task:
            nurse = _soonest_nurse(shifts, nurse_free, ready, task)
        start = max(ready, nurse_free[nurse])
        nurse_free[nurse] = start + task
        nurse_minutes += task
        waited[number] += start - ready
        advance(number, phase + 1, start + minutes[phase])
    return ends, waited, chair_minutes, nurse_minutes


def _soonest_nurse(shifts: list[tuple[int, int]], nurse_free: list[int], ready: int, task: int) -> int:
    """The nurse on shift for the whole task who is free soonest (the first such); nobody on shift: the
    nurse free soonest of all."""
    best, best_at = -1, 0
    for on_shift_only in (True, False):
        for n, (start, end) in enumerate(shifts):
            if on_shift_only and not (start <= ready and ready + task <= end):
                continue
            at = nurse_free[n] if nurse_free[n] > ready else ready
            if best < 0 or at < best_at:
                best, best_at = n, at
        if best >= 0:
            return best
    return best


@dataclass(frozen=True)
class Comparison:
    """Two schedules' simulations side by side, metric by metric (b minus a in `difference`)."""

    a: SimulationResult
    b: SimulationResult

    def rows(self) -> list[tuple[str, float, float, float]]:
        """(metric, a, b, b - a) for every averaged metric."""
        names = [
            "expected_overtime_minutes",
            "overtime_chance",
            "mean_wait_minutes",
            "p90_wait_minutes",
            "chair_utilization",
            "nurse_utilization",
            "expected_no_shows",
            "expected_add_ons",
            "expected_add_ons_turned_away",
        ]
        rows = []
        for name in names:
            first, second = float(getattr(self.a, name)), float(getattr(self.b, name))
            rows.append((name, first, second, second - first))
        return rows


def compare(day: Day, a: Schedule, b: Schedule, settings: SimulationSettings | None = None) -> Comparison:
    """Simulate two schedules of one day with the same settings and seed (common random numbers)."""
    return Comparison(simulate(day, a, settings), simulate(day, b, settings))
