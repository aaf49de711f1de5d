"""The re-plan engine keeps seated patients and promised starts, and changes as little as it can."""

from __future__ import annotations

from msinfusion.scheduling import Chair, make_demo_day, solve, with_catalog_phases
from msinfusion.scheduling.clock import parse_clock
from msinfusion.scheduling.promises import replan, seated
from tests.scheduling.conftest import small_day, visit


def test_replanning_an_unchanged_day_changes_nothing() -> None:
    day = with_catalog_phases(make_demo_day(12, 4, 30, seed=3))
    current = solve(day, solver="greedy")
    result = replan(day, current, parse_clock("11:00"))
    assert result.schedule is not None
    assert result.changes == []
    assert result.schedule.assignments == current.assignments


def test_a_visit_is_seated_once_its_start_is_before_now() -> None:
    day = small_day([visit("A1", preferred_start="08:00"), visit("A2", preferred_start="10:00")])
    current = solve(day, solver="greedy")
    assert seated(current, parse_clock("10:00")) == {"A1"}
    assert seated(current, parse_clock("10:05")) == {"A1", "A2"}


def test_visits_left_out_before_stay_out_with_their_reason() -> None:
    day = small_day([visit("A1", minutes=240), visit("A2", minutes=240)], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    result = replan(day, current, parse_clock("08:00"), dropped_now={"A1": "did not come"})
    assert result.schedule is not None
    assert result.schedule.assignments == []
    reasons = {u.appointment: u.reason for u in result.schedule.unscheduled}
    assert reasons["A1"] == "did not come"
    assert reasons["A2"] == current.unscheduled[0].reason


def test_a_required_visit_takes_the_place_of_a_promised_one_only_when_keeping_all_is_not_required() -> None:
    day = small_day([visit("A1", minutes=240, preferred_start="08:00")], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    both = day.model_copy(update={"appointments": [*day.appointments, visit("X", minutes=240, priority=5)]})
    strict = replan(both, current, parse_clock("07:00"), max_shift=None, required={"X"})
    assert strict.schedule is None and strict.status == "infeasible"
    loose = replan(both, current, parse_clock("07:00"), max_shift=None, required={"X"}, keep_all=False)
    assert loose.schedule is not None
    assert [a.appointment for a in loose.schedule.assignments] == ["X"]
    assert next(c.describe() for c in loose.changes).startswith("A1: taken off the day")


def test_a_replan_past_its_deadline_answers_with_the_first_plan_by_hand_without_searching() -> None:
    import time

    from msinfusion.scheduling import Chair, solve
    from msinfusion.scheduling.clock import parse_clock
    from msinfusion.scheduling.promises import replan
    from tests.scheduling.conftest import small_day, visit

    day = small_day(
        [visit("A1", preferred_start="09:00"), visit("A2", preferred_start="10:00")], chairs=[Chair(id="C1")]
    )
    current = solve(day, solver="greedy")
    result = replan(day, current, parse_clock("08:30"), max_shift=None, keep_all=False, deadline=time.monotonic())
    assert result.status == "feasible" and result.schedule is not None
    assert [(a.appointment, a.start) for a in result.schedule.assignments] == [("A1", 540), ("A2", 600)]
