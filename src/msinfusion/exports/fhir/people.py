"""The patient (with emergency contacts, v2-0131 ``C``) and the driver as a RelatedPerson."""

from __future__ import annotations

from typing import Any

from msinfusion.exports.fhir.codes import BASE_URL, BCP47, V2_0131
from msinfusion.exports.fhir.context import BundleContext, Resource, ref, telecom


def patient(ctx: BundleContext) -> list[Resource]:
    """The Patient: language, id, name, birth date and emergency contacts from the card."""
    plan = ctx.plan
    card = plan.card.details
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": ctx.patient_id,
        "communication": [
            {"language": {"coding": [{"system": BCP47, "code": plan.locale}]}, "preferred": True},
        ],
    }
    if plan.patient.id:
        resource["identifier"] = [{"system": f"{BASE_URL}/patient-id", "value": plan.patient.id}]
    if card.name:
        resource["name"] = [{"text": card.name}]
    if card.date_of_birth:
        resource["birthDate"] = card.date_of_birth.isoformat()
    if card.emergency_contacts:
        resource["contact"] = [
            {
                "relationship": [
                    {
                        "coding": [{"system": V2_0131, "code": "C", "display": "Emergency Contact"}],
                        **({"text": c.relationship} if c.relationship else {}),
                    }
                ],
                "name": {"text": c.name},
                "telecom": telecom(c.phone),
            }
            for c in card.emergency_contacts
        ]
    return [resource]


def driver(ctx: BundleContext) -> list[Resource]:
    """The driver on the card as a RelatedPerson; none without one."""
    card = ctx.plan.card.details
    if card.driver is None or ctx.driver_id is None:
        return []
    return [
        {
            "resourceType": "RelatedPerson",
            "id": ctx.driver_id,
            "patient": ref(ctx.patient_id),
            "relationship": [{"text": ctx.t.gettext("Driver")}],
            "name": [{"text": card.driver.name}],
            "telecom": telecom(card.driver.phone),
        }
    ]
