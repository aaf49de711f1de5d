"""The bundle runs one builder per resource kind, in order, and names no therapy."""

from __future__ import annotations

import inspect
from pathlib import Path

from msinfusion.exports import fhir
from msinfusion.exports.fhir import BUILDERS, plan_bundle
from msinfusion.therapies import load_catalog
from tests.exports.conftest import make_plan


def test_the_bundle_holds_every_builders_resources_in_builder_order() -> None:
    bundle = plan_bundle(make_plan())
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds[:3] == ["Patient", "RelatedPerson", "Location"]
    assert kinds[-2:] == ["Questionnaire", "QuestionnaireResponse"]
    assert len(BUILDERS) == 11


def test_no_fhir_module_names_a_therapy_or_passes_400_lines() -> None:
    folder = Path(inspect.getfile(fhir)).parent
    for module in folder.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert not any(f'"{therapy}"' in text for therapy in load_catalog().ids), module.name
        assert len(text.splitlines()) < 400, module.name
