from __future__ import annotations

from msinfusion.scheduling.rules import windows
from tests.scheduling.conftest import small_day, visit
from tests.scheduling.rules.helpers import feasible_with_only


def test_visit_fits_a_window_as_long_as_itself() -> None:
    day = small_day([visit("A1", minutes=60, earliest_start="09:00", latest_end="10:00")])
    assert feasible_with_only(windows.apply, day)


def test_visit_does_not_fit_a_window_shorter_than_itself() -> None:
    day = small_day([visit("A1", minutes=60, earliest_start="09:00", latest_end="09:55")])
    assert not feasible_with_only(windows.apply, day)


def test_visit_cannot_end_after_closing() -> None:
    day = small_day([visit("A1", minutes=300)])
    assert not feasible_with_only(windows.apply, day)
