"""The pre-infusion check as a Questionnaire (draft: every item needs clinical review) and its response."""

from __future__ import annotations

from typing import Any

from msinfusion.exports.fhir.codes import BASE_URL, NEEDS_REVIEW_EXTENSION, TRIAGE_EXTENSION
from msinfusion.exports.fhir.context import BundleContext, Resource, ref


def questionnaire_url(ctx: BundleContext) -> str:
    """The canonical URL of the check's questionnaire (per therapy and dose)."""
    check = ctx.plan.check
    number = check.dose_number if check is not None else 0
    return f"{BASE_URL}/Questionnaire/pre-infusion-{ctx.plan.therapy_id}-dose-{number}"


def questionnaire(ctx: BundleContext) -> list[Resource]:
    """The check's questions as yes/no items; none without a check."""
    check = ctx.plan.check
    if check is None:
        return []
    return [
        {
            "resourceType": "Questionnaire",
            "id": ctx.ids("questionnaire"),
            "url": questionnaire_url(ctx),
            "language": ctx.plan.locale,
            "name": "PreInfusionCheck",
            "title": ctx.t.gettext("Pre-infusion check"),
            "status": "draft",  # every item needs clinical review before real use (§5)
            "subjectType": ["Patient"],
            "item": [
                {
                    "linkId": q.id,
                    "text": q.text,
                    "type": "boolean",
                    "required": True,
                    **(
                        {"extension": [{"url": NEEDS_REVIEW_EXTENSION, "valueBoolean": True}]} if q.needs_review else {}
                    ),
                }
                for q in check.questions
            ],
        }
    ]


def questionnaire_response(ctx: BundleContext) -> list[Resource]:
    """The patient's answers so far, with the triage outcome once answered; none without a check."""
    check = ctx.plan.check
    if check is None:
        return []
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": ctx.ids("questionnaire-response"),
        "questionnaire": questionnaire_url(ctx),
        "status": "in-progress" if check.unanswered else "completed",
        "subject": ref(ctx.patient_id),
        "authored": ctx.plan.issued.isoformat(),
        "item": [
            {
                "linkId": q.id,
                "text": q.text,
                **({"answer": [{"valueBoolean": q.answer}]} if q.answer is not None else {}),
            }
            for q in check.questions
        ],
    }
    if check.outcome is not None:
        response["extension"] = [{"url": TRIAGE_EXTENSION, "valueCode": check.outcome.value}]
    return [response]
