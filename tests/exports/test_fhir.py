"""FHIR export: every resource validates with fhir.resources, and our own checks cover codes and references."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from msinfusion.exports.fhir import TRIAGE_EXTENSION, V2_0131, bundle_problems, parse_resources, plan_bundle
from msinfusion.therapies import load_catalog
from tests.exports.conftest import make_plan

CATALOG = load_catalog()
EXPECTED_TYPES = {
    "Patient",
    "RelatedPerson",
    "Location",
    "Condition",
    "AllergyIntolerance",
    "MedicationStatement",
    "MedicationRequest",
    "Appointment",
    "CarePlan",
    "Questionnaire",
    "QuestionnaireResponse",
}


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.mark.parametrize("therapy", CATALOG.ids)
@pytest.mark.parametrize("locale", ["en", "es"])
@pytest.mark.parametrize("filled", [True, False], ids=["patient-file", "empty"])
def test_every_resource_validates_and_passes_our_own_checks(therapy: str, locale: str, filled: bool) -> None:
    bundle = plan_bundle(make_plan(therapy, locale, filled))
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    assert len(parse_resources(bundle)) == len(bundle["entry"])
    assert bundle_problems(bundle) == []


def test_a_filled_in_plan_has_every_resource_the_issue_lists() -> None:
    bundle = plan_bundle(make_plan())
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} == EXPECTED_TYPES
    assert len(resources(bundle, "Appointment")) == len(make_plan().visits)


def test_the_same_plan_gives_the_same_resource_ids() -> None:
    assert plan_bundle(make_plan()) == plan_bundle(make_plan())


def test_emergency_contacts_use_the_v2_emergency_contact_code_and_the_driver_is_a_related_person() -> None:
    bundle = plan_bundle(make_plan())
    contact = resources(bundle, "Patient")[0]["contact"][0]
    assert contact["relationship"][0]["coding"][0] == {"system": V2_0131, "code": "C", "display": "Emergency Contact"}
    assert contact["telecom"] == [{"system": "phone", "value": "+16175550123"}]
    driver = resources(bundle, "RelatedPerson")[0]
    refs = [p["actor"]["reference"] for a in resources(bundle, "Appointment") for p in a["participant"]]
    assert f"urn:uuid:{driver['id']}" in refs


def test_the_booked_visit_is_booked_and_the_others_proposed() -> None:
    appointments = resources(plan_bundle(make_plan()), "Appointment")
    assert appointments[0]["status"] == "booked"
    assert appointments[0]["start"] == "2027-01-04T09:00:00-05:00"
    assert {a["status"] for a in appointments[1:]} == {"proposed"}


def test_the_medication_request_times_the_split_first_dose_then_every_six_months() -> None:
    request = resources(plan_bundle(make_plan()), "MedicationRequest")[0]
    first, second, maintenance = request["dosageInstruction"]
    assert [first["sequence"], second["sequence"], maintenance["sequence"]] == [1, 2, 3]
    assert first["timing"]["event"] == ["2027-01-04"]
    assert second["timing"]["event"] == ["2027-01-18"]
    assert maintenance["timing"]["repeat"] == {
        "boundsPeriod": {"start": "2027-07-04"},
        "frequency": 1,
        "period": 6,
        "periodUnit": "mo",
    }
    assert maintenance["doseAndRate"][0]["doseQuantity"]["value"] == 600


def test_consecutive_day_courses_are_timed_as_daily_repeats() -> None:
    request = resources(plan_bundle(make_plan("alemtuzumab")), "MedicationRequest")[0]
    repeats = [d["timing"]["repeat"] for d in request["dosageInstruction"]]
    assert [(r["count"], r["periodUnit"]) for r in repeats] == [(5, "d"), (3, "d")]


def test_the_check_is_a_questionnaire_with_a_response_carrying_the_triage_outcome() -> None:
    bundle = plan_bundle(make_plan())
    questionnaire = resources(bundle, "Questionnaire")[0]
    response = resources(bundle, "QuestionnaireResponse")[0]
    assert response["questionnaire"] == questionnaire["url"]
    assert questionnaire["status"] == "draft"
    answers = {i["linkId"]: i.get("answer") for i in response["item"]}
    assert answers["antibiotics"] == [{"valueBoolean": True}]
    assert response["status"] == "in-progress"
    assert response["extension"] == [{"url": TRIAGE_EXTENSION, "valueCode": "call-center"}]


def test_touch_questions_are_flagged_for_clinical_review_in_the_questionnaire() -> None:
    questionnaire = resources(plan_bundle(make_plan("natalizumab")), "Questionnaire")[0]
    flagged = {i["linkId"] for i in questionnaire["item"] if i.get("extension")}
    assert {"immune-condition", "immune-meds", "neuro-change"} <= flagged


def test_the_care_plan_references_the_request_every_appointment_and_the_preparation() -> None:
    bundle = plan_bundle(make_plan())
    care_plan = resources(bundle, "CarePlan")[0]
    referenced = {a["reference"]["reference"] for a in care_plan["activity"] if "reference" in a}
    targets = resources(bundle, "Appointment") + resources(bundle, "MedicationRequest")
    expected = {f"urn:uuid:{r['id']}" for r in targets}
    assert referenced == expected
    tasks = [a["detail"] for a in care_plan["activity"] if "detail" in a]
    assert any(t["description"].startswith("Arrange a ride home") for t in tasks)
    assert care_plan["note"][0]["text"].startswith("This plan helps you get ready")


def test_card_details_become_allergy_medication_and_condition_resources() -> None:
    bundle = plan_bundle(make_plan())
    allergy = resources(bundle, "AllergyIntolerance")[0]
    assert allergy["code"]["text"] == "penicillin"
    assert allergy["reaction"][0]["manifestation"][0]["text"] == "hives"
    assert resources(bundle, "MedicationStatement")[0]["dosage"] == [{"text": "2000 IU daily"}]
    assert {c["code"]["text"] for c in resources(bundle, "Condition")} == {"Multiple sclerosis", "asthma"}


def broken(change: str) -> dict[str, Any]:
    bundle = copy.deepcopy(plan_bundle(make_plan()))
    appointment = resources(bundle, "Appointment")[0]
    if change == "status":
        appointment["status"] = "whatever"
    elif change == "reference":
        appointment["participant"][0]["actor"]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    elif change == "code":
        resources(bundle, "Patient")[0]["contact"][0]["relationship"][0]["coding"][0]["code"] = "ZZ"
    elif change == "duration":
        appointment["minutesDuration"] += 5
    elif change == "target":
        resources(bundle, "AllergyIntolerance")[0]["patient"] = {"reference": f"urn:uuid:{appointment['id']}"}
    elif change == "link":
        resources(bundle, "QuestionnaireResponse")[0]["item"][0]["linkId"] = "not-asked"
    return bundle


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("status", "'whatever' is not one of"),
        ("reference", "is not in the bundle"),
        ("code", "is not one we may emit"),
        ("duration", "minutesDuration"),
        ("target", "refers to a Appointment"),
        ("link", "linkId 'not-asked'"),
    ],
)
def test_our_checks_catch_what_fhir_resources_lets_through(change: str, problem: str) -> None:
    bundle = broken(change)
    Bundle.model_validate(bundle)  # structurally still valid
    assert any(problem in p for p in bundle_problems(bundle))
