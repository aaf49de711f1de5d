"""The live-day benchmark draws valid random events and reports its figures (no timing asserts)."""

from __future__ import annotations

import random

from benchmarks.scheduling.live import live_figures, percentile, random_add_on, random_events

from msinfusion.scheduling import make_demo_day, solve, with_catalog_phases
from msinfusion.scheduling.repair import apply_events


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95)) == (50.0, 95.0)


def test_random_events_are_valid_for_the_day_they_are_drawn_on() -> None:
    day = with_catalog_phases(make_demo_day(12, 4, 30, seed=5))
    schedule = solve(day, solver="greedy")
    rng = random.Random(3)
    kinds = set()
    for _ in range(40):
        events = random_events(day, schedule, rng)
        apply_events(day, schedule, events)  # raises DayProblem if an event were not valid
        kinds.add(events.events[0].kind)
    assert kinds == {"late-arrival", "no-show", "reaction", "nurse-leaves"}


def test_random_add_ons_are_new_visits_asked_for_after_now() -> None:
    day = with_catalog_phases(make_demo_day(12, 4, 30, seed=5))
    visit, now = random_add_on(day, random.Random(1), 7)
    assert visit.id == "X007" and visit.id not in {a.id for a in day.appointments}
    assert visit.preferred_start is not None and visit.preferred_start >= now


def test_live_figures_time_every_event_and_the_simulation() -> None:
    day = with_catalog_phases(make_demo_day(8, 3, 20, seed=2))
    figures = live_figures(day, solve(day, solver="greedy"), events=3, runs=20)
    assert figures.events == 3 and figures.simulation_runs == 20
    assert 0 <= figures.add_on_fits <= 3
    assert figures.add_on_p50 <= figures.add_on_p95 and figures.repair_p50 <= figures.repair_p95
