"""The pre-infusion check as a draft Questionnaire and the patient's response."""

from __future__ import annotations

from msinfusion.exports.fhir.codes import TRIAGE_EXTENSION
from msinfusion.exports.fhir.context import BundleContext
from msinfusion.exports.fhir.questionnaire import questionnaire, questionnaire_response
from tests.exports.conftest import make_plan


def test_questionnaire_is_a_draft_with_a_yes_no_item_per_question() -> None:
    plan = make_plan()
    [resource] = questionnaire(BundleContext(plan))
    assert resource["status"] == "draft"
    assert plan.check is not None and len(resource["item"]) == len(plan.check.questions)
    assert {item["type"] for item in resource["item"]} == {"boolean"}


def test_questionnaire_response_points_at_its_questionnaire_and_carries_the_triage() -> None:
    ctx = BundleContext(make_plan())
    [response] = questionnaire_response(ctx)
    assert response["questionnaire"] == questionnaire(ctx)[0]["url"]
    assert response["extension"][0]["url"] == TRIAGE_EXTENSION
    [unanswered] = questionnaire_response(BundleContext(make_plan(filled=False)))
    assert unanswered["status"] == "in-progress" and "extension" not in unanswered
