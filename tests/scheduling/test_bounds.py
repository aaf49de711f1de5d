from __future__ import annotations

import pytest

from msinfusion.scheduling import Chair, make_demo_day, solve, with_catalog_phases
from msinfusion.scheduling.bounds import assign_starts, deviation_bound, solve_relaxation, solve_relaxation_mip
from msinfusion.scheduling.instance import Instance
from msinfusion.scheduling.placement import Placement
from msinfusion.scheduling.preference_relaxation import realize as _realize
from tests.scheduling.conftest import nurse, small_day, visit


def test_relaxation_counts_every_visit_when_all_fit() -> None:
    relaxation = solve_relaxation(Instance(small_day([visit("A1"), visit("A2")])))
    assert relaxation.bound == 2
    assert relaxation.optimal
    assert sorted(relaxation.starts) == [0, 1]


def test_relaxation_sees_that_one_chair_holds_one_long_visit_per_morning() -> None:
    day = small_day([visit("A1", minutes=180), visit("A2", minutes=180)], chairs=[Chair(id="C1")])
    assert solve_relaxation(Instance(day)).bound == 1


def test_relaxation_sees_that_one_nurse_does_one_check_in_at_a_time() -> None:
    # Four chairs but one nurse for one hour: four 15-minute check-ins fit, a fifth does not.
    day = small_day(
        [visit(f"A{n}", minutes=60, nurse_minutes=15) for n in range(5)],
        chairs=[Chair(id=f"C{n}") for n in range(5)],
        nurses=[nurse("N1", "08:00", "09:00")],
        closes="09:00",
        ratio=5,
    )
    assert solve_relaxation(Instance(day)).bound == 1


def test_relaxation_keeps_beds_for_visits_that_need_them() -> None:
    day = small_day(
        [visit("A1", minutes=240, requires=["bed"]), visit("A2", minutes=240, requires=["bed"])],
        chairs=[Chair(id="C1"), Chair(id="B1", features=["bed"])],
    )
    assert solve_relaxation(Instance(day)).bound == 1


def test_relaxation_bound_is_never_below_the_best_schedule() -> None:
    day = small_day([visit(f"A{n}", minutes=90, priority=n) for n in range(1, 6)], chairs=[Chair(id="C1")])
    best = solve(day, time_limit=5)
    bound = solve_relaxation(Instance(day)).bound
    assert bound is not None and bound >= best.objective.scheduled_priority


@pytest.mark.slow
@pytest.mark.parametrize(
    ("chairs", "nurses", "visits"),
    [
        (8, 3, 35),
        pytest.param(
            12,
            4,
            50,
            # Since the clinical data changed (TYRUKO and post-reaction observation on the safer side), the
            # relaxation finds 49 against a bound of 50 and does not close within 25 deterministic seconds.
            marks=pytest.mark.xfail(reason="relaxation does not close on the 12-chair day with today's catalog"),
        ),
    ],
)
def test_relaxation_proves_the_overbooked_demo_days_and_its_starts_are_a_schedule(
    chairs: int, nurses: int, visits: int
) -> None:
    # The benchmark's overbooked days (optimum 33 and 50 with today's catalog). Stopped by
    # deterministic time only (the wall limit is far away), so this does not depend on load.
    instance = Instance(with_catalog_phases(make_demo_day(chairs, nurses, visits, seed=1)))
    relaxation = solve_relaxation(instance, seconds=120, deterministic_seconds=8)
    assert relaxation.optimal
    assert relaxation.bound == relaxation.priority
    placements, _ = _realize(instance, relaxation.starts, seconds=60, seed=0)
    assert placements is not None and len(placements) == len(relaxation.starts)


def test_interchangeable_jobs_get_the_relaxation_starts_closest_to_their_preferences() -> None:
    day = small_day(
        [visit("A1", preferred_start="08:00"), visit("A2", preferred_start="10:30"), visit("A3")],
        chairs=[Chair(id="C1"), Chair(id="C2"), Chair(id="C3")],
    )
    members = list(Instance(day).jobs)  # a 15-minute grid from 08:00: 10:30 is unit 10
    assert assign_starts(members[:2], [9, 1]) == {0: 1, 1: 9}
    # The job without a preference takes a start at no cost: better than A1 (08:00) at 08:15.
    assert assign_starts(members, [9, 1]) == {2: 1, 1: 9}
    assert assign_starts(members, [10, 5]) == {1: 10, 2: 5}


def test_deviation_bound_is_zero_when_every_visit_can_start_when_it_wants() -> None:
    day = small_day([visit("A1", preferred_start="09:00"), visit("A2", preferred_start="10:00")])
    assert deviation_bound(Instance(day), priority=2) == 0


def test_deviation_bound_sees_two_visits_wanting_the_one_chair_at_the_same_time() -> None:
    # One chair, two 1-hour visits both wanting 09:00: one of them starts an hour away from it.
    day = small_day(
        [visit("A1", preferred_start="09:00"), visit("A2", preferred_start="09:00")], chairs=[Chair(id="C1")]
    )
    instance = Instance(day)
    bound = deviation_bound(instance, priority=2)
    assert bound is not None and bound * instance.unit == 60
    # Scheduling only one of them costs nothing.
    assert deviation_bound(instance, priority=1) == 0


def test_deviation_bound_is_none_when_no_schedule_reaches_the_priority() -> None:
    day = small_day([visit("A1", minutes=180), visit("A2", minutes=180)], chairs=[Chair(id="C1")])
    assert deviation_bound(Instance(day), priority=2) is None


def test_deviation_bound_is_never_above_a_solved_schedules_deviation() -> None:
    day = with_catalog_phases(make_demo_day(8, 3, 22, seed=1))
    schedule = solve(day, time_limit=5, seed=1)
    instance = Instance(day)
    bound = deviation_bound(instance, schedule.objective.scheduled_priority)
    assert bound is not None
    assert 0 < bound * instance.unit <= schedule.objective.preference_deviation_minutes


def test_the_mip_relaxation_proves_the_same_bound_as_the_cp_sat_one_on_a_small_day() -> None:
    day = small_day([visit("A1", minutes=180), visit("A2", minutes=180), visit("A3")], chairs=[Chair(id="C1")])
    relaxation = solve_relaxation_mip(Instance(day), seconds=30)
    assert relaxation is not None
    assert relaxation.optimal
    assert relaxation.bound == relaxation.priority == solve_relaxation(Instance(day)).bound == 2


def test_the_mip_relaxation_starts_from_a_hinted_schedule_and_keeps_beds_for_visits_that_need_them() -> None:
    day = small_day(
        [visit("A1", minutes=240, requires=["bed"]), visit("A2", minutes=240, requires=["bed"])],
        chairs=[Chair(id="C1"), Chair(id="B1", features=["bed"])],
    )
    instance = Instance(day)
    relaxation = solve_relaxation_mip(instance, [Placement(0, 0, "B1", ("N1",))], seconds=30)
    assert relaxation is not None and relaxation.bound == 1 and len(relaxation.starts) == 1


@pytest.mark.slow
def test_the_mip_relaxation_proves_the_150_visit_day_and_its_starts_are_a_schedule() -> None:
    # CP-SAT's relaxation stalls at a bound of 161 here without a schedule better than greedy's 137.
    instance = Instance(with_catalog_phases(make_demo_day(48, 16, 150, seed=1)))
    relaxation = solve_relaxation_mip(instance, seconds=120)
    assert relaxation is not None and relaxation.optimal
    assert relaxation.bound == relaxation.priority == 160
    placements, _ = _realize(instance, relaxation.starts, seconds=60, seed=0)
    assert placements is not None and len(placements) == len(relaxation.starts)
