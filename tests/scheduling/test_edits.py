"""Moving one visit by hand: its nurse tasks move with it, and the validator judges the result."""

from __future__ import annotations

import pytest

from msinfusion.scheduling import Day, Schedule, solve
from msinfusion.scheduling.edits import UnknownVisit, free_nurse, move_visit
from tests.scheduling.conftest import nurse, small_day, visit


def _two_visits() -> tuple[Day, Schedule]:
    day = small_day([visit("A1"), visit("A2")], nurses=[nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "12:00")])
    return day, solve(day, solver="greedy")


def test_a_moved_visit_takes_its_nurse_task_along_to_the_new_time() -> None:
    day, schedule = _two_visits()
    moved, problems = move_visit(day, schedule, "A1", "C2", 10 * 60)
    placed = next(a for a in moved.assignments if a.appointment == "A1")
    assert (placed.chair, placed.start, placed.end) == ("C2", 600, 660)
    assert [(t.start, t.end) for t in placed.nurse_tasks] == [(600, 615)]
    assert problems == []


def test_a_task_goes_to_another_nurse_when_its_nurse_is_busy_then() -> None:
    day, _ = _two_visits()
    assert free_nurse(day, {"N1": [(600, 615)]}, 600, 615, preferred="N1") == "N2"
    assert free_nurse(day, {"N1": [(540, 555)]}, 600, 615, preferred="N1") == "N1"


def test_when_nobody_is_free_the_former_nurse_keeps_the_task_for_the_validator_to_name() -> None:
    day, _ = _two_visits()
    busy = {"N1": [(600, 615)], "N2": [(600, 615)]}
    assert free_nurse(day, busy, 600, 615, preferred="N2") == "N2"


def test_a_move_that_breaks_a_rule_comes_back_with_the_validators_words() -> None:
    day, schedule = _two_visits()
    _, problems = move_visit(day, schedule, "A1", "C9", 9 * 60)
    assert any("unknown chair C9" in p for p in problems)


def test_moving_a_visit_that_is_not_on_the_day_is_refused() -> None:
    day, schedule = _two_visits()
    with pytest.raises(UnknownVisit):
        move_visit(day, schedule, "A9", "C1", 9 * 60)
