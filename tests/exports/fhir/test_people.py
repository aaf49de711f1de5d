"""The Patient and the driver as a RelatedPerson."""

from __future__ import annotations

from msinfusion.exports.fhir.context import BundleContext
from msinfusion.exports.fhir.people import driver, patient
from tests.exports.conftest import make_plan


def test_patient_carries_the_language_name_birth_date_and_emergency_contact() -> None:
    [resource] = patient(BundleContext(make_plan(locale="es")))
    assert resource["communication"][0]["language"]["coding"][0]["code"] == "es"
    assert resource["name"] == [{"text": "Ana Torres"}] and resource["birthDate"] == "1984-03-09"
    assert resource["contact"][0]["name"] == {"text": "Luis Torres"}


def test_driver_is_a_related_person_only_when_the_card_names_one() -> None:
    [resource] = driver(BundleContext(make_plan()))
    assert resource["resourceType"] == "RelatedPerson" and resource["name"] == [{"text": "Marta Ruiz"}]
    assert driver(BundleContext(make_plan(filled=False))) == []
