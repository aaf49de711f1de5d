"""Add-on: a same-day visit placed without moving anyone already promised, or the best alternatives."""

from __future__ import annotations

import pytest

from msinfusion.scheduling import Chair, Day, DayProblem, Schedule, check_schedule, solve
from msinfusion.scheduling.addon import add_on
from msinfusion.scheduling.clock import parse_clock
from tests.scheduling.conftest import nurse, small_day, visit


def one_chair_morning() -> tuple[Day, Schedule]:
    """One chair, one nurse: A1 08:00-09:00 and A2 10:00-11:00 promised, 09:00-10:00 and 11:00-12:00 free."""
    day = small_day(
        [visit("A1", preferred_start="08:00"), visit("A2", preferred_start="10:00")], chairs=[Chair(id="C1")]
    )
    schedule = solve(day, solver="greedy")
    assert [(a.appointment, a.start) for a in schedule.assignments] == [("A1", 480), ("A2", 600)]
    return day, schedule


def starts(schedule: Schedule) -> dict[str, int]:
    return {a.appointment: a.start for a in schedule.assignments}


def test_an_add_on_goes_into_a_free_gap_at_the_time_it_wants() -> None:
    day, current = one_chair_morning()
    result = add_on(day, current, visit("X", preferred_start="09:00"), parse_clock("08:30"))
    assert result.fits and result.placement is not None
    assert (result.placement.start, result.placement.chair) == (540, "C1")
    assert [c.appointment for c in result.changes] == ["X"]
    check_schedule(day.model_copy(update={"appointments": [*day.appointments, visit("X")]}), result.schedule)


def test_an_add_on_never_changes_a_promised_start_and_goes_later_instead() -> None:
    day, current = one_chair_morning()
    result = add_on(day, current, visit("X", minutes=90, preferred_start="09:00"), parse_clock("08:30"))
    assert result.placement is None or result.placement.start >= 660
    assert not result.fits  # 90 minutes fit nowhere without moving A2
    assert starts(current) == {"A1": 480, "A2": 600}
    moves = next(a for a in result.alternatives if a.kind == "with-moves")
    assert moves.start == 540
    assert [(c.appointment, c.old_start, c.new_start) for c in moves.changes] == [("A2", 600, 630)]


def test_a_center_that_allows_small_moves_fits_the_add_on_by_moving_a_promise_that_much() -> None:
    day, current = one_chair_morning()
    result = add_on(day, current, visit("X", minutes=90, preferred_start="09:00"), parse_clock("08:30"), max_shift=30)
    assert result.fits and result.placement is not None and result.placement.start == 540
    assert starts(result.schedule) == {"A1": 480, "A2": 630, "X": 540}


def test_a_seated_patient_keeps_chair_and_start_even_when_the_add_on_wants_them() -> None:
    day = small_day([visit("A1", minutes=120, preferred_start="08:00")], chairs=[Chair(id="C1"), Chair(id="C2")])
    current = solve(day, solver="greedy")
    seated_chair = current.assignments[0].chair
    result = add_on(day, current, visit("X", preferred_start="09:00"), parse_clock("08:30"))
    assert result.placement is not None and result.placement.chair != seated_chair
    kept = next(a for a in result.schedule.assignments if a.appointment == "A1")
    assert (kept.start, kept.chair) == (480, seated_chair)


def test_an_add_on_never_starts_before_now() -> None:
    day, current = one_chair_morning()
    result = add_on(day, current, visit("X", preferred_start="08:00"), parse_clock("09:10"))
    assert result.placement is not None and result.placement.start >= parse_clock("09:10")


def test_an_add_on_past_its_own_latest_end_is_offered_later_today() -> None:
    day, current = one_chair_morning()
    late = visit("X", minutes=60, preferred_start="09:00", latest_end="10:00")
    result = add_on(day, current, late, parse_clock("09:05"))
    assert not result.fits and result.reason
    later = next(a for a in result.alternatives if a.kind == "later-today")
    assert later.start == parse_clock("11:00") and later.changes == []


def test_an_add_on_that_does_not_fit_today_is_offered_tomorrow_when_a_next_day_is_given() -> None:
    day = small_day([visit("A1", minutes=240, preferred_start="08:00")], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    tomorrow = small_day([], chairs=[Chair(id="C1")])
    tomorrow_schedule = solve(tomorrow, solver="greedy")
    result = add_on(
        day, current, visit("X", preferred_start="09:00"), parse_clock("08:30"), next_day=(tomorrow, tomorrow_schedule)
    )
    assert not result.fits
    offered = next(a for a in result.alternatives if a.kind == "tomorrow")
    assert offered.start == parse_clock("09:00") and offered.changes == []


def test_an_add_on_whose_id_is_already_on_the_day_is_bad_input() -> None:
    day, current = one_chair_morning()
    with pytest.raises(DayProblem, match="already on the day"):
        add_on(day, current, visit("A1"), parse_clock("08:30"))


def test_an_add_on_waits_for_a_nurse_when_the_only_one_is_busy() -> None:
    day = small_day(
        [visit("A1", minutes=60, nurse_minutes=30, preferred_start="09:00")],
        chairs=[Chair(id="C1"), Chair(id="C2")],
        nurses=[nurse("N1", "08:00", "12:00")],
    )
    current = solve(day, solver="greedy")
    result = add_on(day, current, visit("X", nurse_minutes=15, preferred_start="09:00"), parse_clock("08:30"))
    assert result.placement is not None and result.placement.start == parse_clock("09:30")
