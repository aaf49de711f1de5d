"""The MedicationRequest's dose timing follows the regimen's shape, not the therapy's name."""

from __future__ import annotations

from msinfusion.exports.fhir.context import BundleContext
from msinfusion.exports.fhir.medication import medication_request
from tests.exports.conftest import make_plan


def test_a_course_regimen_gives_one_daily_instruction_per_course() -> None:
    [request] = medication_request(BundleContext(make_plan("alemtuzumab")))
    first, second = request["dosageInstruction"]
    assert first["timing"]["repeat"]["count"] == 5 and second["timing"]["repeat"]["count"] == 3


def test_an_off_label_therapy_says_the_prescriber_sets_the_regimen() -> None:
    [request] = medication_request(BundleContext(make_plan("rituximab")))
    assert request["note"] == [{"text": "Off-label use for MS: the prescriber sets the regimen."}]
    [labelled] = medication_request(BundleContext(make_plan("natalizumab")))
    assert "note" not in labelled
