"""Open days: the week, the center's closures and the public holidays of its country and state."""

from __future__ import annotations

import datetime as dt

from msinfusion.booking import parse_request
from msinfusion.booking.openings import OpenDays
from tests.booking.conftest import request_data


def openings(closures: list[str] | None = None) -> OpenDays:
    request = parse_request(request_data([], closures=closures))
    return OpenDays(request.center, dt.date(2027, 1, 1), dt.date(2027, 12, 31))


def test_an_observed_public_holiday_is_closed_and_named() -> None:
    days = openings()
    assert days.why_closed(dt.date(2027, 7, 5)) == "center closed (Independence Day, observed)"
    assert not days.is_open(dt.date(2027, 7, 5))


def test_a_state_holiday_of_the_subdivision_is_closed() -> None:
    assert openings().why_closed(dt.date(2027, 4, 19)) == "center closed (Patriots' Day)"


def test_a_weekend_and_a_closure_are_closed_for_their_own_reasons() -> None:
    days = openings(["2027-08-27"])
    assert days.why_closed(dt.date(2027, 8, 28)) == "center closed on Saturdays"
    assert days.why_closed(dt.date(2027, 8, 27)) == "center closed (closure)"


def test_an_ordinary_weekday_is_open_with_its_nurses() -> None:
    hours = openings().hours(dt.date(2027, 8, 26))
    assert hours is not None and [n.id for n in hours.nurses] == ["N1", "N2"]
