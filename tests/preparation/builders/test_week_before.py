"""A week before: confirm the visit, arrange a ride, check the card."""

from __future__ import annotations

import datetime

from msinfusion.card import card_details
from msinfusion.preparation import Stage
from msinfusion.preparation.builders.week_before import card, confirm_details, ride
from tests.preparation.conftest import MakeVisit


def test_confirm_details_lists_date_time_place_treatment_and_premedicine_a_week_ahead(make_visit: MakeVisit) -> None:
    visit = make_visit("ocrelizumab-iv", 1)
    [task] = confirm_details(visit)
    assert task.stage is Stage.WEEK_BEFORE and task.due == visit.day - datetime.timedelta(days=7)
    assert [item.split(":")[0] for item in task.items] == ["Date", "Time", "Place", "Treatment", "Premedicine"]


def test_ride_asks_for_a_driver_on_a_first_infusion_and_otherwise_asks_about_driving(make_visit: MakeVisit) -> None:
    [first] = ride(make_visit("natalizumab", 1))
    [later] = ride(make_visit("natalizumab", 2))
    assert first.id == "driver" and "first infusion" in first.reason
    assert later.id == "ask-about-driving"
    named = make_visit("natalizumab", 1, card=card_details({"driver": {"name": "Marta", "phone": "617-555-0188"}}))
    assert ride(named)[0].detail.startswith("Marta is your driver")


def test_card_lists_what_is_missing_from_an_empty_card(make_visit: MakeVisit) -> None:
    [task] = card(make_visit("ocrelizumab-iv", 1))
    assert task.id == "card" and "An emergency contact" in task.items
