"""What-if simulation: a schedule played forward many times with no-shows, varying durations and add-ons."""

from __future__ import annotations

import pytest

from msinfusion.scheduling import Chair, Day, Schedule, solve
from msinfusion.scheduling.durations import VisitTimes, learn_durations
from msinfusion.scheduling.simulation import SimulationSettings, compare, simulate
from tests.scheduling.conftest import small_day, visit

CERTAIN = SimulationSettings(runs=20, no_show_rate=0, infusion_cv=0, reaction_rate=0)


def two_in_one_chair(closes: str = "12:00") -> tuple[Day, Schedule]:
    """A1 08:00-09:00 and A2 09:00-10:00 in one chair; one nurse."""
    day = small_day(
        [visit("A1", preferred_start="08:00"), visit("A2", preferred_start="09:00")],
        chairs=[Chair(id="C1")],
        closes=closes,
    )
    return day, solve(day, solver="greedy")


def test_without_uncertainty_the_simulation_plays_the_plan_exactly() -> None:
    day, schedule = two_in_one_chair()
    result = simulate(day, schedule, CERTAIN)
    assert (result.expected_overtime_minutes, result.mean_wait_minutes) == (0, 0)
    assert result.chair_utilization == pytest.approx(120 / 240)
    assert result.nurse_utilization == pytest.approx(30 / 240)
    assert result.late_chance == {"A1": 0.0, "A2": 0.0}


def test_a_longer_infusion_makes_the_next_patient_in_the_chair_wait_and_finish_after_closing() -> None:
    day, schedule = two_in_one_chair(closes="10:00")
    longer = SimulationSettings(runs=10, no_show_rate=0, infusion_cv=0, reaction_rate=1, reaction_minutes=(30, 30))
    result = simulate(day, schedule, longer)
    assert result.mean_wait_minutes == pytest.approx(15)  # A1 waits 0, A2 waits 30
    assert result.expected_overtime_minutes == pytest.approx(60)
    assert result.overtime_chance == 1
    assert result.late_chance == {"A1": 0.0, "A2": 1.0}


def test_when_nobody_comes_no_chair_or_nurse_is_used() -> None:
    day, schedule = two_in_one_chair()
    result = simulate(day, schedule, SimulationSettings(runs=10, no_show_rate=1))
    assert (result.chair_utilization, result.nurse_utilization, result.expected_no_shows) == (0, 0, 2)


def test_the_no_show_rate_is_about_the_share_of_patients_who_stay_away() -> None:
    day, schedule = two_in_one_chair()
    result = simulate(day, schedule, SimulationSettings(runs=2000, no_show_rate=0.25))
    assert result.expected_no_shows == pytest.approx(0.5, abs=0.05)


def test_recorded_history_replaces_the_default_duration_model() -> None:
    day = small_day([visit("A1", minutes=60, nurse_minutes=15, preferred_start="08:00")], closes="09:00")
    schedule = solve(day, solver="greedy")
    history = [VisitTimes(treatment="test", check_in=480, discharge=600) for _ in range(5)]
    settings = SimulationSettings(runs=5, no_show_rate=0, learned=learn_durations(history))
    result = simulate(day, schedule, settings)
    assert result.expected_overtime_minutes == pytest.approx(60)  # 120 recorded chair minutes, not 60


def test_one_seed_gives_one_result() -> None:
    day, schedule = two_in_one_chair(closes="10:00")
    settings = SimulationSettings(runs=200, seed=7)
    assert simulate(day, schedule, settings) == simulate(day, schedule, settings)


def test_add_ons_take_free_chairs_and_are_turned_away_when_none_is_free() -> None:
    day, schedule = two_in_one_chair()
    free = simulate(day, schedule, SimulationSettings(runs=200, add_on_rate=1, no_show_rate=0))
    assert free.expected_add_ons + free.expected_add_ons_turned_away == pytest.approx(2)
    assert free.expected_add_ons > 0
    full_day = small_day([visit("A1", minutes=240, preferred_start="08:00")], chairs=[Chair(id="C1")], closes="12:00")
    full = simulate(full_day, solve(full_day, solver="greedy"), SimulationSettings(runs=50, add_on_rate=1))
    assert full.expected_add_ons == 0


def test_two_schedules_compare_side_by_side() -> None:
    day, tight = two_in_one_chair(closes="12:00")
    roomy_day = small_day(
        [visit("A1", preferred_start="08:00"), visit("A2", preferred_start="10:00")], chairs=[Chair(id="C1")]
    )
    roomy = solve(roomy_day, solver="greedy")
    settings = SimulationSettings(runs=300, seed=3, reaction_rate=0.5)
    rows = {name: (a, b, diff) for name, a, b, diff in compare(day, tight, roomy, settings).rows()}
    assert rows["mean_wait_minutes"][2] < 0  # a gap after A1 absorbs its reactions
    assert rows["expected_no_shows"][0] == rows["expected_no_shows"][1]  # the same patients stay away
