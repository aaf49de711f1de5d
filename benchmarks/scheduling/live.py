"""The live day on one schedule: add-on and repair latencies over random events, simulation throughput.

Events are drawn with one seed from what a running day can see: an add-on of a random catalog visit
asked for at a random moment (09:00-15:00) for a start up to an hour later; and one of a late arrival
(15-60 min), a no-show, a reaction on an infusion in progress (pause 10-30 min; the label's rate, or
half the rate for a treatment whose label gives none) or a nurse leaving 0-2 hours after `now`.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from msinfusion.scheduling import Day, DayProblem, Schedule
from msinfusion.scheduling.addon import add_on
from msinfusion.scheduling.day import Appointment
from msinfusion.scheduling.events import DayEvents, parse_events
from msinfusion.scheduling.repair import catalog_rates, repair
from msinfusion.scheduling.simulation import SimulationSettings, simulate

__all__ = ["LiveFigures", "live_figures", "percentile", "random_add_on", "random_events"]


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass(frozen=True)
class LiveFigures:
    """Latency percentiles and maxima (seconds), outcomes, and simulation throughput."""

    add_on_p50: float
    add_on_p95: float
    add_on_max: float
    add_on_fits: int
    repair_p50: float
    repair_p95: float
    repair_max: float
    repair_moved_mean: float
    repair_refused: int
    events: int
    simulation_runs: int
    simulation_seconds: float


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def random_add_on(day: Day, rng: random.Random, number: int) -> tuple[Appointment, int]:
    """A same-day visit shaped like a random visit of the day, and the moment it is asked for."""
    template = rng.choice(day.appointments)
    now = rng.randrange(9 * 60, 15 * 60, 5)
    visit = Appointment(
        id=f"X{number:03d}",
        patient=f"PX{number:03d}",
        treatment=template.treatment,
        phases=template.phases,
        preferred_start=now + rng.randrange(0, 61, 5),
        priority=2,
    )
    return visit, now


def random_events(day: Day, schedule: Schedule, rng: random.Random) -> DayEvents:
    """One valid event of a random kind at a random moment of the running day."""
    by_id = {a.id: a for a in day.appointments}
    for _ in range(100):
        now = rng.randrange(9 * 60, 15 * 60, 5)
        kind = rng.choice(["late-arrival", "no-show", "reaction", "nurse-leaves"])
        waiting = [a for a in schedule.assignments if a.start >= now]
        event: dict[str, object] | None = None
        if kind in ("late-arrival", "no-show") and waiting:
            chosen = rng.choice(waiting)
            event = {"kind": kind, "appointment": chosen.appointment}
            if kind == "late-arrival":
                event["arrives"] = _clock(chosen.start + rng.randrange(15, 61, 5))
        elif kind == "reaction":
            infusing = []
            for a in schedule.assignments:
                offset = 0
                for phase in by_id[a.appointment].resolved_phases:
                    if phase.name == "infusion" and a.start + offset < now < a.start + offset + phase.minutes:
                        infusing.append((a, a.start + offset))
                    offset += phase.minutes
            if infusing:
                chosen, begins = rng.choice(infusing)
                event = {
                    "kind": kind,
                    "appointment": chosen.appointment,
                    "at": _clock(rng.randrange(begins, now + 1)),
                    "pause_minutes": rng.randrange(10, 31, 5),
                }
                if catalog_rates(by_id[chosen.appointment].treatment) is None:
                    event["rate_factor"] = 0.5
        elif kind == "nurse-leaves":
            on_shift = [n for n in day.center.nurses if n.shift_start < now < n.shift_end]
            if on_shift:
                event = {"kind": kind, "nurse": rng.choice(on_shift).id, "at": _clock(now + rng.randrange(0, 121, 5))}
        if event is not None:
            return parse_events({"format": "msinfusion.events/1", "now": _clock(now), "events": [event]})
    raise ValueError("no valid event found on this day")


def _timed(call: Callable[[], object]) -> tuple[float, object]:
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


def live_figures(day: Day, schedule: Schedule, *, events: int = 100, runs: int = 1000, seed: int = 1) -> LiveFigures:
    """Time `events` add-ons and `events` repairs on the schedule, and `runs` simulated runs."""
    rng = random.Random(seed)
    add_on_times: list[float] = []
    fits = 0
    for number in range(events):
        visit, now = random_add_on(day, rng, number)
        started = time.monotonic()
        placed = add_on(day, schedule, visit, now)
        add_on_times.append(time.monotonic() - started)
        fits += placed.fits
    repair_times: list[float] = []
    moved: list[int] = []
    refused = 0
    for _ in range(events):
        happened = random_events(day, schedule, rng)
        started = time.monotonic()
        try:
            result = repair(day, schedule, happened)
        except DayProblem:
            refused += 1  # a nurse who cannot leave yet: the answer, as fast as a repair
        else:
            moved.append(result.moved_promises)
        repair_times.append(time.monotonic() - started)
    seconds, _ = _timed(lambda: simulate(day, schedule, SimulationSettings(runs=runs, add_on_rate=0.05)))
    return LiveFigures(
        add_on_p50=percentile(add_on_times, 0.5),
        add_on_p95=percentile(add_on_times, 0.95),
        add_on_max=max(add_on_times, default=0.0),
        add_on_fits=fits,
        repair_p50=percentile(repair_times, 0.5),
        repair_p95=percentile(repair_times, 0.95),
        repair_max=max(repair_times, default=0.0),
        repair_moved_mean=statistics.fmean(moved) if moved else 0.0,
        repair_refused=refused,
        events=events,
        simulation_runs=runs,
        simulation_seconds=seconds,
    )
