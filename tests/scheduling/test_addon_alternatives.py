"""The whole schedule behind an add-on's alternative: rebuilt from what the core describes (the add-on's
chair and start, everyone else's changes), valid, and changing exactly what the alternative says."""

from __future__ import annotations

import pytest

from msinfusion.scheduling import Chair, Change, DayProblem, InvalidSchedule, schedule_changes, solve
from msinfusion.scheduling.addon import Alternative, add_on
from msinfusion.scheduling.addon_alternatives import alternative_schedule
from msinfusion.scheduling.clock import parse_clock
from msinfusion.scheduling.demo_day import make_demo_day
from tests.scheduling.conftest import small_day, visit
from tests.scheduling.test_addon import one_chair_morning


def _rebuilt_matches(alternative: Alternative, rebuilt_changes: list[Change], visit_id: str) -> None:
    others = [c for c in rebuilt_changes if c.appointment != visit_id]
    assert others == alternative.changes
    added = next(c for c in rebuilt_changes if c.appointment == visit_id)
    assert (added.new_start, added.new_chair) == (alternative.start, alternative.chair)


def test_a_with_moves_alternative_rebuilds_to_the_schedule_it_describes() -> None:
    day, current = one_chair_morning()
    x = visit("X", minutes=90, preferred_start="09:00")
    moves = next(a for a in add_on(day, current, x, parse_clock("08:30")).alternatives if a.kind == "with-moves")
    rebuilt = alternative_schedule(day, current, x, moves)
    assert {a.appointment: a.start for a in rebuilt.assignments} == {"A1": 480, "A2": 630, "X": 540}
    _rebuilt_matches(moves, schedule_changes(current, rebuilt), "X")
    assert rebuilt.unscheduled == []


def test_a_tomorrow_alternative_rebuilds_on_the_next_day() -> None:
    day = small_day([visit("A1", minutes=240, preferred_start="08:00")], chairs=[Chair(id="C1")])
    current = solve(day, solver="greedy")
    tomorrow = small_day([visit("B1", preferred_start="08:00")], chairs=[Chair(id="C1")])
    booked = solve(tomorrow, solver="greedy")
    x = visit("X", preferred_start="09:00")
    result = add_on(day, current, x, parse_clock("08:30"), next_day=(tomorrow, booked))
    offered = next(a for a in result.alternatives if a.kind == "tomorrow")
    rebuilt = alternative_schedule(tomorrow, booked, x, offered)
    _rebuilt_matches(offered, schedule_changes(booked, rebuilt), "X")
    assert {a.appointment: (a.start, a.chair) for a in rebuilt.assignments}["B1"] == (480, "C1")


def test_a_demo_day_alternative_with_moves_rebuilds_with_every_rule_kept() -> None:
    day = make_demo_day(6, 2, 16, 3)
    current = solve(day, solver="greedy")
    x = visit("X", minutes=120, nurse_minutes=30, preferred_start="11:00")
    result = add_on(day, current, x, parse_clock("10:00"), time_limit=2.0)
    offered = [a for a in result.alternatives if a.kind == "with-moves"]
    assert offered and offered[0].changes  # the add-on placed later; at 11:00 others would move
    for alternative in offered:
        rebuilt = alternative_schedule(day, current, x, alternative)  # checked inside: raises when invalid
        _rebuilt_matches(alternative, schedule_changes(current, rebuilt), "X")


def test_an_alternative_that_does_not_describe_a_schedule_of_the_day_is_refused() -> None:
    day, current = one_chair_morning()
    x = visit("X", minutes=90, preferred_start="09:00")
    moves = next(a for a in add_on(day, current, x, parse_clock("08:30")).alternatives if a.kind == "with-moves")
    with pytest.raises((DayProblem, InvalidSchedule)):
        alternative_schedule(day, current, x, moves.model_copy(update={"changes": []}))  # A2 left in the way
    with pytest.raises(DayProblem, match="not in the schedule in force"):
        alternative_schedule(
            day,
            current,
            x,
            moves.model_copy(update={"changes": [c.model_copy(update={"appointment": "Z9"}) for c in moves.changes]}),
        )
    with pytest.raises(DayProblem, match="already on the day"):
        alternative_schedule(day, current, visit("A1"), moves)
