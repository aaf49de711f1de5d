"""A data file's patient tasks name only their own facts and the file's monitoring items."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from msinfusion.therapies import Therapy, load_catalog
from msinfusion.therapies.model import PatientTask

TASK: dict[str, Any] = {
    "id": "skin-exam",
    "stage": "after",
    "periods": {"every": {"value": "12 months", "source": "S2", "status": "label"}},
    "title": "Have your skin checked",
    "detail": "Have a skin exam every {every}.",
    "reason": "It finds skin problems early.",
}


def test_a_task_whose_text_names_its_own_fact_loads() -> None:
    assert PatientTask.model_validate(TASK).periods["every"].value.amount == 12


def test_a_number_in_the_text_must_be_a_fact_of_the_task() -> None:
    with pytest.raises(ValidationError, match="name no fact"):
        PatientTask.model_validate(TASK | {"detail": "Have a skin exam every {year}."})


def test_a_schedule_names_only_periods_of_the_task() -> None:
    with pytest.raises(ValidationError, match="schedule names a period"):
        PatientTask.model_validate(TASK | {"schedule": {"every": "month"}})


def test_a_task_without_any_source_is_refused() -> None:
    with pytest.raises(ValidationError, match="needs a source"):
        PatientTask.model_validate(TASK | {"periods": {}, "detail": "Have a skin exam."})


def test_a_task_names_only_monitoring_items_of_its_file() -> None:
    data = load_catalog().get("ocrelizumab-iv").model_dump(mode="json")
    data["patient_tasks"][0]["monitoring"] = ["Palm reading"]
    with pytest.raises(ValidationError, match="Palm reading"):
        Therapy.model_validate(data)
