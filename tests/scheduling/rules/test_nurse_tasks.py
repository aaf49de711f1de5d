from __future__ import annotations

from msinfusion.scheduling.rules import fixed, nurse_tasks
from tests.scheduling.conftest import nurse, small_day, visit
from tests.scheduling.rules.helpers import feasible_with_only, together

_rules = together(nurse_tasks.apply, fixed.apply)


def test_one_nurse_does_two_check_ins_one_after_the_other() -> None:
    day = small_day([visit("A1", fixed={"start": "08:00"}), visit("A2", fixed={"start": "08:15"})])
    assert feasible_with_only(_rules, day)


def test_one_nurse_cannot_do_two_check_ins_at_once() -> None:
    day = small_day([visit("A1", fixed={"start": "08:00"}), visit("A2", fixed={"start": "08:10"})])
    assert not feasible_with_only(_rules, day)


def test_nurse_task_must_lie_inside_a_shift() -> None:
    nurses = [nurse("N1", "08:00", "10:00"), nurse("N2", "10:05", "12:00")]
    inside = small_day([visit("A1", fixed={"start": "09:45"})], nurses=nurses)
    across = small_day([visit("A1", fixed={"start": "09:50"})], nurses=nurses)
    assert feasible_with_only(_rules, inside)
    assert not feasible_with_only(_rules, across)
