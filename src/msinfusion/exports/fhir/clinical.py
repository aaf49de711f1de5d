"""What the card says about the patient's health: conditions (MS first), allergies and medicines."""

from __future__ import annotations

from msinfusion.exports.fhir.codes import (
    ALLERGY_CLINICAL,
    ALLERGY_VERIFICATION,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    MS_SNOMED,
    SNOMED,
)
from msinfusion.exports.fhir.context import BundleContext, Resource, ref


def conditions(ctx: BundleContext) -> list[Resource]:
    """MS (SNOMED coded), then each condition on the card, on the problem list."""
    pid = ctx.patient_id
    resources: list[Resource] = [
        {
            "resourceType": "Condition",
            "id": ctx.ids("condition", "ms"),
            "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
            "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
            "code": {
                "coding": [{"system": SNOMED, "code": MS_SNOMED, "display": "Multiple sclerosis"}],
                "text": ctx.t.gettext("Multiple sclerosis"),
            },
            "subject": ref(pid),
        }
    ]
    for index, condition in enumerate(ctx.plan.card.details.conditions):
        resources.append(
            {
                "resourceType": "Condition",
                "id": ctx.ids("condition", index),
                "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
                "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
                "code": {"text": condition.name},
                "subject": ref(pid),
                **({"note": [{"text": condition.note}]} if condition.note else {}),
            }
        )
    return resources


def allergies(ctx: BundleContext) -> list[Resource]:
    """Each allergy on the card, patient-reported (so unconfirmed)."""
    return [
        {
            "resourceType": "AllergyIntolerance",
            "id": ctx.ids("allergy", index),
            "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
            "verificationStatus": {"coding": [{"system": ALLERGY_VERIFICATION, "code": "unconfirmed"}]},
            "code": {"text": allergy.substance},
            "patient": ref(ctx.patient_id),
            **({"reaction": [{"manifestation": [{"text": allergy.reaction}]}]} if allergy.reaction else {}),
        }
        for index, allergy in enumerate(ctx.plan.card.details.allergies)
    ]


def medication_statements(ctx: BundleContext) -> list[Resource]:
    """Each medicine on the card, as the patient reports it."""
    resources: list[Resource] = []
    for index, medicine in enumerate(ctx.plan.card.details.medicines):
        how = " ".join(p for p in (medicine.dose, medicine.how_often) if p)
        resources.append(
            {
                "resourceType": "MedicationStatement",
                "id": ctx.ids("medication-statement", index),
                "status": "active",
                "medicationCodeableConcept": {"text": medicine.name},
                "subject": ref(ctx.patient_id),
                "informationSource": ref(ctx.patient_id),
                **({"dosage": [{"text": how}]} if how else {}),
            }
        )
    return resources
