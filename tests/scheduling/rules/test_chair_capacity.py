from __future__ import annotations

from msinfusion.scheduling import Chair
from msinfusion.scheduling.rules import chair_capacity, fixed
from tests.scheduling.conftest import small_day, visit
from tests.scheduling.rules.helpers import feasible_with_only, together

ONE_CHAIR = [Chair(id="C1")]


def test_one_chair_holds_two_visits_one_after_the_other() -> None:
    day = small_day([visit("A1", fixed={"start": "08:00"}), visit("A2", fixed={"start": "09:00"})], chairs=ONE_CHAIR)
    assert feasible_with_only(together(chair_capacity.apply, fixed.apply), day)


def test_one_chair_cannot_hold_two_overlapping_visits() -> None:
    day = small_day([visit("A1", fixed={"start": "08:00"}), visit("A2", fixed={"start": "08:59"})], chairs=ONE_CHAIR)
    assert not feasible_with_only(together(chair_capacity.apply, fixed.apply), day)


def test_two_chairs_hold_two_overlapping_visits_but_not_three() -> None:
    two = [visit(f"A{n}", fixed={"start": "08:00"}) for n in (1, 2)]
    three = [*two, visit("A3", fixed={"start": "08:30"})]
    rules = together(chair_capacity.apply, fixed.apply)
    assert feasible_with_only(rules, small_day(two))
    assert not feasible_with_only(rules, small_day(three))
