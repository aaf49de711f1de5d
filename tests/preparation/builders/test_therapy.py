"""The therapy's own tasks come from its data file: worded there, sourced there, numbers from its facts."""

from __future__ import annotations

import inspect
from typing import get_args

from msinfusion.preparation import Stage
from msinfusion.preparation.builders import therapy as therapy_builders
from msinfusion.preparation.builders.therapy import therapy_follow_up, therapy_preparation
from msinfusion.therapies import apply_overrides, load_catalog
from msinfusion.therapies.model import PatientTask
from tests.preparation.conftest import MakeVisit

CATALOG = load_catalog()


def _path(therapy_id: str, task_id: str, fact: str) -> str:
    tasks = CATALOG.get(therapy_id).patient_tasks
    index = next(i for i, task in enumerate(tasks) if task.id == task_id)
    return f"patient_tasks[{index}].{fact}"


def test_therapy_preparation_gives_the_data_files_tasks_before_the_visit(make_visit: MakeVisit) -> None:
    tasks = {task.id: task for task in therapy_preparation(make_visit("mitoxantrone", 3))}
    assert set(tasks) == {"heart-test", "blood-tests"}
    assert tasks["heart-test"].sources == ["mitoxantrone:S3", "mitoxantrone:S8"]
    assert (make_visit("mitoxantrone", 3).day - tasks["heart-test"].due).days == 7
    assert all(task.stage is not Stage.AFTER for task in tasks.values())


def test_therapy_follow_up_gives_the_data_files_tasks_after_the_visit(make_visit: MakeVisit) -> None:
    tasks = {task.id: task for task in therapy_follow_up(make_visit("alemtuzumab", 2))}
    assert tasks["stroke-signs"].sources == ["alemtuzumab:S2"]
    assert (
        "in the 3 days after an infusion" in tasks["stroke-signs"].detail and "Call 911" in tasks["stroke-signs"].detail
    )
    assert all(task.stage is Stage.AFTER for task in tasks.values())


def test_a_task_belongs_only_to_the_doses_and_course_days_its_data_names(make_visit: MakeVisit) -> None:
    assert "antiviral" in {t.id for t in therapy_preparation(make_visit("alemtuzumab", 6))}  # day 1 of course 2
    assert "antiviral" not in {t.id for t in therapy_preparation(make_visit("alemtuzumab", 7))}
    assert "first-dose-tests" not in {t.id for t in therapy_preparation(make_visit("ocrelizumab-iv", 2))}


def test_a_center_override_of_a_fact_reaches_the_patients_text(make_visit: MakeVisit) -> None:
    therapy = apply_overrides(
        CATALOG.get("alemtuzumab"), {_path("alemtuzumab", "stroke-signs", "periods.days"): "5 days"}
    )
    [stroke] = [t for t in therapy_follow_up(make_visit(therapy, 2)) if t.id == "stroke-signs"]
    assert stroke.detail.startswith("Stroke is most likely in the 5 days after an infusion")
    spanish = [t for t in therapy_follow_up(make_visit(therapy, 2, locale="es")) if t.id == "stroke-signs"]
    assert spanish[0].detail.startswith("El derrame cerebral es más probable en los 5 días después de una infusión")


def test_a_task_resting_on_an_unconfirmed_value_needs_review(make_visit: MakeVisit) -> None:
    [rems] = [t for t in therapy_preparation(make_visit("natalizumab-sztn", 2)) if t.id == "rems"]
    assert rems.needs_review


def test_the_builder_names_no_therapy() -> None:
    source = inspect.getsource(therapy_builders)
    assert not any(therapy_id in source for therapy_id in CATALOG.ids)


def test_a_data_task_can_name_every_stage_and_only_those() -> None:
    stages = get_args(PatientTask.model_fields["stage"].annotation)
    assert set(stages) == {stage.value for stage in Stage}
