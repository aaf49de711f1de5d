from __future__ import annotations

from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msinfusion.scheduling import Chair, Day, check_schedule, make_demo_day, solve
from msinfusion.scheduling.model import Progress
from tests.scheduling.conftest import nurse, small_day, visit


def test_cp_sat_schedules_everything_that_fits_and_proves_it(day_two_chairs: Day) -> None:
    schedule = solve(day_two_chairs, time_limit=5)
    assert schedule.objective.scheduled == 3
    assert schedule.bound is not None and schedule.bound.scheduled_priority == 3
    assert schedule.solver.status == "optimal"


def test_cp_sat_starts_visits_at_their_preferred_time_when_it_can() -> None:
    day = small_day([visit("A1", preferred_start="09:00"), visit("A2", preferred_start="09:00")])
    schedule = solve(day, time_limit=5)
    assert 540 in [a.start for a in schedule.assignments]
    assert schedule.objective.preference_deviation_minutes == 15  # one nurse: one check-in moves 15 min


def test_cp_sat_prefers_the_higher_priority_visit_when_only_one_fits() -> None:
    day = small_day([visit("A1", minutes=240), visit("A2", minutes=240, priority=3)], chairs=[Chair(id="C1")])
    schedule = solve(day, time_limit=5)
    assert [a.appointment for a in schedule.assignments] == ["A2"]
    assert schedule.bound is not None and schedule.bound.scheduled_priority == 3


def test_greedy_books_first_come_first_served_by_preferred_time() -> None:
    day = small_day(
        [visit("A1", minutes=240, preferred_start="09:00"), visit("A2", minutes=240, preferred_start="08:00")],
        chairs=[Chair(id="C1")],
    )
    schedule = solve(day, solver="greedy")
    assert [a.appointment for a in schedule.assignments] == ["A2"]
    assert schedule.solver.status == "heuristic"
    assert schedule.bound is None


def test_cp_sat_beats_greedy_where_first_come_first_served_wastes_a_chair() -> None:
    # The greedy seats the early short visit in the morning; both long visits then cannot fit.
    day = small_day(
        [
            visit("A1", minutes=60, preferred_start="09:00"),
            visit("A2", minutes=180, preferred_start="10:00"),
        ],
        chairs=[Chair(id="C1")],
        closes="12:00",
    )
    greedy = solve(day, solver="greedy")
    best = solve(day, time_limit=5)
    assert greedy.objective.scheduled == 1
    assert best.objective.scheduled == 2


def test_same_seed_gives_the_same_schedule_when_the_search_completes() -> None:
    # Interleaved search follows one path for a seed; only a wall-clock cut could make runs differ.
    day = make_demo_day(4, 2, 8, seed=5)
    first = solve(day, time_limit=10, seed=7)
    second = solve(day, time_limit=10, seed=7)
    assert first.solver.status == "optimal"
    assert first.assignments == second.assignments


def test_the_first_progress_report_carries_the_validated_greedy_schedule(day_two_chairs: Day) -> None:
    reports: list[Progress] = []
    solve(day_two_chairs, time_limit=5, on_progress=reports.append)
    first = reports[0]
    assert first.phase == 0
    assert first.schedule is not None and first.schedule.solver.name == "greedy"
    check_schedule(day_two_chairs, first.schedule)
    assert first.best_priority == first.schedule.objective.scheduled_priority
    assert all(report.schedule is None for report in reports[1:])


def test_cp_sat_proves_an_overbooked_morning_optimal_through_the_relaxation() -> None:
    # Five 2-hour visits, two chairs, one nurse, one morning: chair-hours allow four, but one nurse
    # cannot check two patients in at 08:00, so the second chair starts late and holds one visit.
    day = small_day([visit(f"A{n}", minutes=120) for n in range(5)])
    schedule = solve(day, time_limit=5)
    assert schedule.objective.scheduled == 3
    assert schedule.bound is not None and schedule.bound.scheduled_priority == 3
    assert schedule.solver.status == "optimal"


def test_unscheduled_appointments_carry_a_reason() -> None:
    day = small_day(
        [visit("A1", minutes=300), visit("A2", requires=["bed"]), visit("A3", minutes=180), visit("A4", minutes=180)],
        chairs=[Chair(id="C1")],
    )
    schedule = solve(day, time_limit=5)
    reasons = {u.appointment: u.reason for u in schedule.unscheduled}
    assert "shorter than its 300-min visit" in reasons["A1"]
    assert "no chair in the center has bed" in reasons["A2"]
    crowded = [reason for appointment, reason in reasons.items() if appointment in ("A3", "A4")]
    assert crowded == ["no chair is free for its 180-min visit within 08:00-12:00; " + crowded[0].split("; ", 1)[1]]


def test_a_nurse_shortage_is_named_as_such() -> None:
    day = small_day(
        [visit("A1", fixed={"start": "09:00"}), visit("A2", fixed={"start": "09:05"})],
        nurses=[nurse("N1", "08:00", "12:00")],
    )
    schedule = solve(day, time_limit=5)
    assert schedule.objective.scheduled == 1
    assert "every nurse on shift is busy during its check-in" in schedule.unscheduled[0].reason


@pytest.mark.slow
def test_cp_sat_schedules_a_demo_day_validly_and_no_worse_than_greedy() -> None:
    day = make_demo_day(12, 4, 40, seed=2)
    greedy = solve(day, solver="greedy")
    best = solve(day, time_limit=4)
    assert best.objective.scheduled_priority >= greedy.objective.scheduled_priority
    assert best.bound is not None and best.bound.scheduled_priority >= best.objective.scheduled_priority


@pytest.mark.slow
def test_an_unproven_large_day_improves_on_the_wall_clock_and_stays_valid() -> None:
    # 150 visits are never proven within the deterministic budgets: stages 3-4 run until the limit.
    day = make_demo_day(48, 16, 150, seed=1)
    greedy = solve(day, solver="greedy")
    best = solve(day, time_limit=3, seed=1)
    check_schedule(day, best)
    assert best.objective.scheduled_priority >= greedy.objective.scheduled_priority
    assert best.bound is not None and best.bound.scheduled_priority >= best.objective.scheduled_priority
    assert best.solver.status == "feasible"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    minutes=st.lists(st.sampled_from([30, 60, 90, 150, 240]), min_size=1, max_size=8),
    preferred=st.lists(st.sampled_from([None, "08:00", "09:30", "11:00"]), min_size=8, max_size=8),
    ratio=st.integers(1, 3),
)
def test_greedy_schedules_are_always_valid(minutes: list[int], preferred: list[str | None], ratio: int) -> None:
    appointments = [
        visit(f"A{n}", minutes=m, **cast(dict[str, Any], {"preferred_start": p} if p else {}))
        for n, (m, p) in enumerate(zip(minutes, preferred, strict=False))
    ]
    nurses = [nurse("N1", "08:00", "10:00"), nurse("N2", "09:00", "12:00")]
    day = small_day(appointments, nurses=nurses, ratio=ratio)
    check_schedule(day, solve(day, solver="greedy"))


@pytest.mark.slow
def test_the_anytime_search_gets_the_150_visit_days_proven_optimal_priority_from_the_mip_relaxation() -> None:
    # SCIP proves 160 on the relaxation and its starts are a schedule (`bounds.solve_relaxation_mip`).
    day = make_demo_day(48, 16, 150, seed=1)
    best = solve(day, time_limit=30, seed=1, search="anytime")
    check_schedule(day, best)
    assert best.objective.scheduled_priority == 160
    assert best.bound is not None and best.bound.scheduled_priority == 160


@pytest.mark.slow
def test_an_anytime_mid_size_day_keeps_its_proven_priority_with_the_search_alongside_the_relaxation() -> None:
    # 30 visits: the weighted lexicographic search runs beside the relaxation (`lexicographic.Companion`).
    day = make_demo_day(12, 4, 30, seed=1)
    best = solve(day, time_limit=20, seed=1, search="anytime")
    check_schedule(day, best)
    assert best.bound is not None and best.bound.scheduled_priority == best.objective.scheduled_priority == 34


def test_the_anytime_search_is_opt_in_and_schedules_a_small_day_as_well_as_the_default() -> None:
    day = make_demo_day(4, 2, 8, seed=5)
    default = solve(day, time_limit=10, seed=7)
    anytime = solve(day, time_limit=10, seed=7, search="anytime")
    check_schedule(day, anytime)
    assert default.solver.status == anytime.solver.status == "optimal"
    assert anytime.objective.scheduled_priority == default.objective.scheduled_priority
    assert anytime.objective.preference_deviation_minutes == default.objective.preference_deviation_minutes
