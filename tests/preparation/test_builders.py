"""The builders run in order and each gives tasks with ids of their own."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from msinfusion import preparation
from msinfusion.preparation.builders import BUILDERS
from msinfusion.therapies import load_catalog
from tests.preparation.conftest import build_visit


@pytest.mark.parametrize("therapy", load_catalog().ids)
def test_every_builder_gives_tasks_with_distinct_ids(therapy: str) -> None:
    ids = [task.id for build in BUILDERS for task in build(build_visit(therapy, 1))]
    assert len(ids) == len(set(ids))


def test_the_builders_start_a_week_before_and_end_after_the_visit() -> None:
    visit = build_visit("alemtuzumab", 1)
    first = BUILDERS[0](visit)[0]
    last = [task for build in BUILDERS for task in build(visit)][-1]
    assert first.id == "confirm-details"
    assert last.stage.value == "after"


def test_no_preparation_module_names_a_therapy_or_passes_400_lines() -> None:
    folder = Path(inspect.getfile(preparation)).parent
    for module in folder.rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert not any(f'"{therapy}"' in text for therapy in load_catalog().ids), module.name
        assert len(text.splitlines()) < 400, module.name
