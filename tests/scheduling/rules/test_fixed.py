from __future__ import annotations

from msinfusion.scheduling.rules import fixed, windows
from tests.scheduling.conftest import small_day, visit
from tests.scheduling.rules.helpers import feasible_with_only, together


def test_fixed_start_is_kept_when_it_is_the_only_demand() -> None:
    day = small_day([visit("A1", fixed={"start": "09:00", "chair": "C2"})])
    assert feasible_with_only(fixed.apply, day)


def test_fixed_start_and_window_that_disagree_cannot_both_hold() -> None:
    day = small_day([visit("A1", fixed={"start": "08:00"}, earliest_start="09:00")])
    assert feasible_with_only(fixed.apply, day)
    assert not feasible_with_only(together(windows.apply, fixed.apply), day)
