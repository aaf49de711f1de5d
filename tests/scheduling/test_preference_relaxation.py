"""The time-indexed relaxation for the deviation (and, lexicographic, for both objectives), its starts checked."""

from __future__ import annotations

import time

from msinfusion.scheduling import Chair, solve
from msinfusion.scheduling.bounds import solve_relaxation_mip
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Placement
from msinfusion.scheduling.preference_relaxation import Beside, realize, relax_preferences, repair
from msinfusion.scheduling.preferences import deviation
from msinfusion.scheduling.validation import check_schedule
from tests.scheduling.conftest import nurse, small_day, visit


def unit_of(instance: Instance, clock: str) -> int:
    hours, minutes = clock.split(":")
    return (int(hours) * 60 + int(minutes) - instance.origin) // instance.unit


def three_at_nine() -> tuple[Instance, list[Placement]]:
    """Three visits wanting 09:00, three chairs, one nurse: the check-ins are 15 minutes apart."""
    day = small_day(
        [visit(f"A{n}", preferred_start="09:00") for n in range(1, 4)],
        chairs=[Chair(id="C1"), Chair(id="C2"), Chair(id="C3")],
        nurses=[nurse("N1", "08:00", "12:00")],
    )
    instance = Instance(day)
    start = [Placement(j, unit_of(instance, f"08:{15 * j:02d}"), f"C{j + 1}", ("N1",)) for j in range(3)]
    return instance, start


def test_the_relaxation_finds_and_proves_the_best_deviation_and_its_starts_are_a_schedule() -> None:
    instance, start = three_at_nine()
    result = relax_preferences(instance, start, deterministic=5, deadline=time.monotonic() + 20)
    assert result.placements is not None and len(result.placements) == 3
    # 09:00, 09:15 and 08:45: 30 minutes in all, and the relaxation proves no schedule does better.
    assert deviation(instance, result.placements) * instance.unit == 30
    assert result.bound * instance.unit == 30
    assert result.priority_bound is None  # the hint's priority was kept, not bounded


def test_the_relaxation_gives_nothing_when_its_best_is_the_hint_itself() -> None:
    instance, start = three_at_nine()
    best = relax_preferences(instance, start, deterministic=5, deadline=time.monotonic() + 20).placements
    assert best is not None
    again = relax_preferences(instance, best, deterministic=5, deadline=time.monotonic() + 20)
    assert again.placements is None
    assert again.bound * instance.unit == 30


def test_the_lexicographic_relaxation_bounds_the_priority_and_the_deviation_at_it() -> None:
    # One chair, two three-hour visits in a four-hour morning: one fits; the one at priority 5 is kept,
    # at its preferred start.
    day = small_day(
        [
            visit("A1", minutes=180, priority=1, preferred_start="08:00"),
            visit("A2", minutes=180, priority=5, preferred_start="09:00"),
        ],
        chairs=[Chair(id="C1")],
    )
    instance = Instance(day)
    result = relax_preferences(instance, [], deterministic=5, deadline=time.monotonic() + 20, lexicographic=True)
    assert result.priority_bound == 5
    assert result.bound == 0
    assert result.placements is not None
    assert [(p.job, instance.to_minutes(p.start)) for p in result.placements] == [(1, 540)]


def test_the_lexicographic_relaxation_runs_beside_on_its_own_thread() -> None:
    instance, start = three_at_nine()
    beside = Beside(instance, start, deterministic=5, deadline=time.monotonic() + 20, seed=0)
    result = beside.join()
    assert result is not None and result.placements is not None
    assert result.priority_bound == sum(job.priority for job in instance.jobs)
    assert deviation(instance, result.placements) * instance.unit == 30


def test_a_small_day_is_proven_on_both_objectives_by_the_relaxations_and_the_same_on_every_solve() -> None:
    instance, _ = three_at_nine()
    day = instance.day
    runs = [solve(day, time_limit=10, seed=2) for _ in range(2)]
    for schedule in runs:
        check_schedule(day, schedule)
        assert schedule.solver.status == "optimal"
        assert schedule.objective.preference_deviation_minutes == 30
    assert runs[0].assignments == runs[1].assignments


def test_the_mip_relaxation_under_a_node_limit_still_bounds_and_schedules_a_small_day() -> None:
    day = small_day([visit(f"A{n}", minutes=90, priority=n) for n in range(1, 6)], chairs=[Chair(id="C1")])
    relaxation = solve_relaxation_mip(Instance(day), seconds=30, nodes=1)
    assert relaxation is not None
    assert relaxation.bound is not None and relaxation.bound >= relaxation.priority > 0


def test_starts_the_exact_model_refuses_are_repaired_at_the_same_priority() -> None:
    # One chair, two one-hour visits both wanting 09:00: starts of 09:00 for both are no schedule.
    day = small_day(
        [visit("A1", preferred_start="09:00"), visit("A2", preferred_start="09:00")],
        chairs=[Chair(id="C1")],
    )
    instance = Instance(day)
    starts = {0: unit_of(instance, "09:00"), 1: unit_of(instance, "09:00")}
    assert realize(instance, starts, seconds=20, seed=0)[0] is None
    repaired, spent = repair(instance, starts, 2, seconds=20, seed=0)
    assert repaired is not None and len(repaired) == 2 and spent > 0
    assert deviation(instance, repaired) * instance.unit == 60
