"""The lower bound on the busiest day: the densest run of open days, and no dose split."""

from __future__ import annotations

import datetime as dt

from msinfusion.booking.bound import peak_lower_bound

D = [dt.date(2027, 6, day) for day in (7, 8, 9, 10)]


def test_doses_free_to_spread_over_two_days_give_half_their_sum() -> None:
    bound = peak_lower_bound(D[:2], {}, [(D[0], D[1], 100), (D[0], D[1], 100), (D[0], D[1], 100)])
    assert bound.chair_minutes == 150


def test_a_dose_tied_to_one_day_with_a_fixed_visit_bounds_that_day() -> None:
    bound = peak_lower_bound(D, {D[2]: 50}, [(D[2], D[2], 100), (D[0], D[3], 10)])
    assert bound.chair_minutes == 150
    assert bound.first == bound.last == D[2]


def test_a_dose_is_never_split_so_the_bound_is_at_least_the_longest_dose() -> None:
    assert peak_lower_bound(D, {}, [(D[0], D[3], 400)]).chair_minutes == 400


def test_a_window_with_no_open_day_adds_nothing() -> None:
    assert peak_lower_bound(D[:2], {}, [(dt.date(2027, 7, 1), dt.date(2027, 7, 2), 400)]).chair_minutes == 0
