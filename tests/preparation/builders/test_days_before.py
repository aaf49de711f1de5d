"""In the days before: rest and water, and vaccines before a first dose."""

from __future__ import annotations

import datetime

from msinfusion.preparation import SEED
from msinfusion.preparation.builders.days_before import rest_and_water, vaccines
from tests.preparation.conftest import MakeVisit


def test_rest_and_water_is_due_three_days_before_and_comes_from_the_seed(make_visit: MakeVisit) -> None:
    visit = make_visit("natalizumab", 2)
    [task] = rest_and_water(visit)
    assert task.due == visit.day - datetime.timedelta(days=3) and task.sources == [SEED]


def test_vaccines_are_planned_by_the_vaccine_lead_fact_before_a_first_dose_only(make_visit: MakeVisit) -> None:
    visit = make_visit("ublituximab", 1)
    [task] = vaccines(visit)
    assert task.due == visit.day - datetime.timedelta(weeks=4)
    assert "at least 4 weeks" in task.detail and "at least 2 weeks" in task.detail
    assert task.sources == ["ublituximab:S2"]
    assert vaccines(make_visit("ublituximab", 3)) == []
    assert vaccines(make_visit("natalizumab", 1)) == []  # no vaccine_lead in its data file
