from __future__ import annotations

from msinfusion.scheduling import Chair
from msinfusion.scheduling.rules import fixed, nurse_ratio
from tests.scheduling.conftest import nurse, small_day, visit
from tests.scheduling.rules.helpers import feasible_with_only, together

CHAIRS = [Chair(id=f"C{n}") for n in range(4)]


_rules = together(nurse_ratio.apply, fixed.apply)


def test_two_nurses_at_ratio_one_watch_two_patients() -> None:
    nurses = [nurse("N1", "08:00", "12:00"), nurse("N2", "08:00", "12:00")]
    day = small_day([visit(f"A{n}", fixed={"start": "09:00"}) for n in range(2)], chairs=CHAIRS, nurses=nurses, ratio=1)
    assert feasible_with_only(_rules, day)


def test_a_second_nurse_arriving_later_does_not_count_before_their_shift() -> None:
    nurses = [nurse("N1", "08:00", "12:00"), nurse("N2", "10:00", "12:00")]
    day = small_day([visit(f"A{n}", fixed={"start": "09:00"}) for n in range(2)], chairs=CHAIRS, nurses=nurses, ratio=1)
    assert not feasible_with_only(_rules, day)


def test_no_patient_may_stay_after_the_last_nurse_leaves() -> None:
    day = small_day([visit("A1", fixed={"start": "10:30"})], nurses=[nurse("N1", "08:00", "11:00")])
    assert not feasible_with_only(_rules, day)
