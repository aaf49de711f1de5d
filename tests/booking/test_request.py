"""The booking request: it round-trips, and bad input is one problem naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from msinfusion.booking import BookingProblem, parse_request
from tests.booking.conftest import natalizumab_patient, request_data

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "booking-request.json"


def test_the_documented_example_round_trips() -> None:
    request = parse_request(EXAMPLE.read_text())
    again = parse_request(request.to_json())
    assert again == request
    assert json.loads(request.to_json())["format"] == "msinfusion.booking/1"


def problem(data: dict[str, Any] | str) -> BookingProblem:
    with pytest.raises(BookingProblem) as raised:
        parse_request(data)
    return raised.value


def test_an_unknown_therapy_names_the_patient_field() -> None:
    data = request_data([{"id": "P1", "therapy": "aspirin", "start": "2027-06-07"}])
    assert problem(data).field == "patients[0].therapy"


def test_a_duplicate_patient_id_is_refused() -> None:
    data = request_data([natalizumab_patient("P1", "2027-06-01"), natalizumab_patient("P1", "2027-06-02")])
    found = problem(data)
    assert found.field == "patients[1].id" and "duplicate" in found.message


def test_a_horizon_ending_before_it_starts_is_refused() -> None:
    data = request_data([], horizon=("2027-08-01", "2027-07-01"))
    assert problem(data).field == "horizon"


def test_a_weekday_that_does_not_exist_is_named() -> None:
    data = request_data([])
    data["center"]["week"]["fri2"] = None
    found = problem(data)
    assert found.field == "center.week.fri2" and "not a weekday" in found.message


def test_an_unknown_field_and_malformed_json_are_named() -> None:
    data = request_data([])
    data["patients"] = [{**natalizumab_patient("P1", "2027-06-01"), "colour": "blue"}]
    assert problem(data).field == "patients[0].colour"
    assert problem("{not json").field == "(file)"


def test_an_unknown_treatment_of_a_promised_visit_is_named() -> None:
    existing = [{"id": "B1", "patient": "P9", "date": "2027-06-08", "start": "09:00", "treatment": "tea"}]
    assert problem(request_data([], existing=existing)).field == "existing[0].treatment"


def test_a_country_without_a_holiday_calendar_is_named() -> None:
    data = request_data([])
    data["center"]["country"] = "QQ"
    assert problem(data).field == "center.country"


def test_headroom_must_leave_some_capacity() -> None:
    assert problem(request_data([], headroom=1.0)).field == "center.headroom"
