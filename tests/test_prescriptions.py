"""A prescription on file: its calendar looks a year ahead, and a given dose is recorded once, not in the
future, and only when the calendar accepts it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from msinfusion.prescriptions import (
    RecordProblem,
    calendar_horizon,
    check_new_prescription,
    dose_given_on,
    prescription_calendar,
)
from msinfusion.regimens import DEFAULT_HORIZON_DAYS
from msinfusion.therapies import load_catalog

OCRELIZUMAB = load_catalog().get("ocrelizumab-iv")
START = date(2027, 1, 4)


def test_a_new_regimen_looks_as_far_ahead_as_the_regimens_default_horizon() -> None:
    assert calendar_horizon(START, START) == START + timedelta(days=DEFAULT_HORIZON_DAYS)


def test_an_old_regimen_still_looks_a_year_past_today() -> None:
    today = START + timedelta(days=2000)
    assert calendar_horizon(START, today) == today + timedelta(days=365)
    plan = prescription_calendar(OCRELIZUMAB, START, [], today, bsa=None, jurisdiction="US")
    assert plan.doses[-1].date <= today + timedelta(days=365)


def test_a_given_dose_becomes_the_calendars_dose_of_that_day() -> None:
    assert dose_given_on(OCRELIZUMAB, START, [], START, START, bsa=None, jurisdiction="US") == 1


def test_a_dose_cannot_be_recorded_before_the_day_it_was_given() -> None:
    with pytest.raises(RecordProblem, match="on or after the day it was given"):
        dose_given_on(OCRELIZUMAB, START, [], START + timedelta(days=1), START, bsa=None, jurisdiction="US")


def test_a_second_dose_on_the_same_day_is_refused() -> None:
    with pytest.raises(RecordProblem, match="already recorded"):
        dose_given_on(OCRELIZUMAB, START, [START], START, START, bsa=None, jurisdiction="US")


def test_a_prescription_without_a_needed_body_surface_area_is_refused_in_words() -> None:
    mitoxantrone = load_catalog().get("mitoxantrone")
    with pytest.raises(RecordProblem):
        check_new_prescription(mitoxantrone, START, START, bsa=None, jurisdiction="US")
