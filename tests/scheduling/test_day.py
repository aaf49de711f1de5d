from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from msinfusion.scheduling import DayProblem, Phase, parse_day, with_catalog_phases
from tests.scheduling.conftest import FORMAT_EXAMPLE_DAY


def test_day_round_trips_the_format_example_exactly_with_every_optional_field() -> None:
    day = parse_day(json.dumps(FORMAT_EXAMPLE_DAY))
    assert json.loads(day.to_json()) == FORMAT_EXAMPLE_DAY


def test_day_does_not_write_back_optional_fields_that_were_not_given() -> None:
    data = copy.deepcopy(FORMAT_EXAMPLE_DAY)
    appointment = data["appointments"][0]
    for field in ("earliest_start", "latest_end", "preferred_start", "requires", "priority", "fixed"):
        del appointment[field]
    del data["center"]["chairs"][1]["features"]
    assert json.loads(parse_day(data).to_json()) == data


def _broken(path: list[Any], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(FORMAT_EXAMPLE_DAY)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["appointments", 0, "phases", 1, "minutes"], -5, "appointments[0].phases[1].minutes: must be >= 0"),
        (["appointments", 0, "colour"], "red", "appointments[0].colour: unknown field"),
        (["center", "opens"], "7:00", "center.opens: must be HH:MM"),
        (["center", "closes"], "25:00", "center.closes: must be HH:MM between"),
        (["appointments", 0, "priority"], 0, "appointments[0].priority: must be > 0"),
        (["appointments", 0, "fixed", "chair"], "C99", "appointments[0].fixed.chair: unknown chair 'C99'"),
        (["center", "chairs", 1, "id"], "C01", "center.chairs[1].id: duplicate id 'C01'"),
        (["center", "max_patients_per_nurse"], KeyError, "center.max_patients_per_nurse: required field"),
        (["format"], "msinfusion.day/2", "format: must be 'msinfusion.day/1'"),
    ],
)
def test_bad_day_is_reported_as_one_problem_naming_the_field(path: list[Any], value: Any, message: str) -> None:
    with pytest.raises(DayProblem) as caught:
        parse_day(_broken(path, value))
    assert str(caught.value).startswith(message)


def test_malformed_json_is_a_problem_of_the_file() -> None:
    with pytest.raises(DayProblem, match=r"^\(file\): not valid JSON"):
        parse_day("{")


def test_duplicate_appointment_ids_are_rejected() -> None:
    data = copy.deepcopy(FORMAT_EXAMPLE_DAY)
    data["appointments"].append(copy.deepcopy(data["appointments"][0]))
    with pytest.raises(DayProblem, match=r"^appointments\[1\]\.id: duplicate id 'A001'"):
        parse_day(data)


def test_appointment_without_phases_takes_them_from_the_given_catalog() -> None:
    data = copy.deepcopy(FORMAT_EXAMPLE_DAY)
    del data["appointments"][0]["phases"]
    day = parse_day(data)
    assert day.appointments[0].phases is None
    resolved = with_catalog_phases(day, lambda code: [Phase(name="infusion", minutes=90, nurse_minutes=10)])
    assert resolved.appointments[0].minutes == 90


def test_appointment_without_phases_takes_them_from_the_visit_timelines() -> None:
    data = copy.deepcopy(FORMAT_EXAMPLE_DAY)
    del data["appointments"][0]["phases"]
    resolved = with_catalog_phases(parse_day(data))
    names = [phase.name for phase in resolved.appointments[0].resolved_phases]
    assert names[0] == "check-in"
    assert "infusion" in names


def test_unknown_catalog_dose_without_phases_names_the_treatment_field() -> None:
    data = copy.deepcopy(FORMAT_EXAMPLE_DAY)
    del data["appointments"][0]["phases"]
    data["appointments"][0]["treatment"] = "no-such-dose"
    with pytest.raises(DayProblem, match=r"^appointments\[0\]\.treatment: unknown catalog dose"):
        with_catalog_phases(parse_day(data))
