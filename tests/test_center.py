"""The center profile: validated contact details, hours, day-of rules and the demo center."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from pydantic import ValidationError

from msinfusion.center import CenterProfile, DriverPolicy, demo_center, display_phone


def center_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "north-clinic",
        "name": "North Clinic Infusion Suite",
        "address": {"lines": ["5 Elm Street"], "city": "Portland", "region": "OR", "postal_code": "97201"},
        "phone": "(503) 555-0110",
        "timezone": "America/Los_Angeles",
        "hours": [{"day": "tuesday", "opens": "07:30", "closes": "18:00"}],
        "amenities": ["water", "blankets"],
        "caffeine": {"hours_before": 2, "wording": {"en": "No coffee for 2 hours before, please."}},
    }
    data.update(changes)
    return data


def test_a_center_file_is_validated_and_phone_numbers_are_stored_in_international_form() -> None:
    center = CenterProfile.model_validate(center_data())
    assert center.phone == "+15035550110"
    assert center.phone_text() == "(503) 555-0110"
    assert center.caffeine is not None and center.caffeine.hours_before == 2
    assert center.driver_policy is DriverPolicy.WHEN_NEEDED


def test_a_center_file_round_trips_through_json() -> None:
    center = CenterProfile.model_validate(center_data())
    assert CenterProfile.model_validate(json.loads(center.model_dump_json())) == center


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "555"}, "phone"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"hours": [{"day": "monday", "opens": "17:00", "closes": "08:00"}]}, "hours"),
        ({"hours": []}, "hours"),
        ({"amenities": ["spa"]}, "amenities"),
        ({"parking_lot": "B"}, "parking_lot"),
        ({"emergency_number": "emergency"}, "emergency_number"),
    ],
)
def test_bad_center_data_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        CenterProfile.model_validate(center_data(**changes))
    assert error.value.errors()[0]["loc"][0] == field


def test_a_weekday_listed_twice_is_refused() -> None:
    twice = [{"day": "monday", "opens": "08:00", "closes": "12:00"}] * 2
    with pytest.raises(ValidationError, match="more than once"):
        CenterProfile.model_validate(center_data(hours=twice))


def test_phone_numbers_without_a_country_code_use_the_region_given() -> None:
    center = CenterProfile.model_validate(
        center_data(phone="020 7946 0000", address={"lines": ["1 High St"], "city": "London", "country": "GB"}),
        context={"region": "GB"},
    )
    assert center.phone == "+442079460000"
    assert display_phone(center.phone, "US").startswith("+44")


def test_an_unbooked_visit_starts_so_the_patient_arrives_at_opening_time() -> None:
    center = CenterProfile.model_validate(center_data(arrive_early_minutes=15))
    tuesday = datetime.date(2027, 1, 5)
    assert center.hours_on(tuesday) is not None
    assert center.default_start_on(tuesday) == datetime.time(7, 45)


def test_a_default_start_time_wins_over_opening_time() -> None:
    center = CenterProfile.model_validate(center_data(default_start="10:00"))
    assert center.default_start_on(datetime.date(2027, 1, 5)) == datetime.time(10, 0)


def test_a_closed_day_has_no_hours() -> None:
    center = CenterProfile.model_validate(center_data())
    assert center.hours_on(datetime.date(2027, 1, 4)) is None  # a Monday


def test_the_demo_center_is_complete_and_uses_a_fictional_phone_number() -> None:
    center = demo_center()
    assert center.phone.startswith("+1413555014")  # 555-01xx is reserved for fiction
    assert len(center.hours) == 5
    assert center.amenities
    assert center.caffeine is not None and set(center.caffeine.wording) == {"en", "es"}
    assert center.smoking is not None and set(center.smoking.wording) == {"en", "es"}
    assert [r.id for r in center.reminders] == ["prepare", "day-before", "leave-soon"]
