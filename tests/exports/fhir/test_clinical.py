"""Conditions, allergies and medicines from the card."""

from __future__ import annotations

from msinfusion.exports.fhir.clinical import allergies, conditions, medication_statements
from msinfusion.exports.fhir.codes import MS_SNOMED
from msinfusion.exports.fhir.context import BundleContext
from tests.exports.conftest import make_plan


def test_conditions_put_ms_first_then_the_cards_conditions() -> None:
    ms, asthma = conditions(BundleContext(make_plan()))
    assert ms["code"]["coding"][0]["code"] == MS_SNOMED
    assert asthma["code"] == {"text": "asthma"} and asthma["note"] == [{"text": "uses an inhaler"}]
    assert len(conditions(BundleContext(make_plan(filled=False)))) == 1


def test_allergies_are_patient_reported_and_unconfirmed() -> None:
    [allergy] = allergies(BundleContext(make_plan()))
    assert allergy["verificationStatus"]["coding"][0]["code"] == "unconfirmed"
    assert allergy["reaction"] == [{"manifestation": [{"text": "hives"}]}]


def test_medication_statements_give_dose_and_how_often() -> None:
    [medicine] = medication_statements(BundleContext(make_plan()))
    assert medicine["medicationCodeableConcept"] == {"text": "vitamin D"}
    assert medicine["dosage"] == [{"text": "2000 IU daily"}]
