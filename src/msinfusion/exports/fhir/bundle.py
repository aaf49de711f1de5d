"""The personal plan as one FHIR R4B collection Bundle, built resource kind by resource kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from msinfusion.exports.fhir import appointments, care_plan, clinical, location, medication, people, questionnaire
from msinfusion.exports.fhir.context import BundleContext, Resource
from msinfusion.plan import PersonalPlan

ResourceBuilder = Callable[[BundleContext], list[Resource]]

BUILDERS: tuple[ResourceBuilder, ...] = (
    people.patient,
    people.driver,
    location.location,
    clinical.conditions,
    clinical.allergies,
    clinical.medication_statements,
    medication.medication_request,
    appointments.appointments,
    care_plan.care_plan,
    questionnaire.questionnaire,
    questionnaire.questionnaire_response,
)
"""One builder per resource kind, in bundle order; each returns its resources (none when it has nothing)."""


def plan_bundle(plan: PersonalPlan) -> dict[str, Any]:
    """The whole plan as a FHIR R4B collection Bundle (JSON-ready dict)."""
    ctx = BundleContext(plan)
    resources = [resource for build in BUILDERS for resource in build(ctx)]
    return {
        "resourceType": "Bundle",
        "id": ctx.ids("bundle"),
        "type": "collection",
        "timestamp": plan.issued.isoformat(),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }
