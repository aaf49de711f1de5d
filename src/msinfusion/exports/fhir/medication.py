"""The therapy as a MedicationRequest: one dose instruction per initial dose or course, then the maintenance repeat."""

from __future__ import annotations

from typing import Any

from msinfusion.exports.fhir.codes import UCUM
from msinfusion.exports.fhir.context import BundleContext, Resource, ref
from msinfusion.plan import VisitPlan

_PERIOD_UNITS = {"days": "d", "weeks": "wk", "months": "mo"}


def _quantity(visit: VisitPlan) -> list[dict[str, Any]]:
    if visit.dose_mg is None:
        return []
    return [{"doseQuantity": {"value": visit.dose_mg, "unit": "mg", "system": UCUM, "code": "mg"}}]


def _course_dosages(ctx: BundleContext, route: str) -> list[dict[str, Any]]:
    """One instruction per course of consecutive daily doses."""
    courses: dict[int, list[VisitPlan]] = {}
    for visit in ctx.plan.visits:
        courses.setdefault(visit.course or 1, []).append(visit)
    dosages: list[dict[str, Any]] = []
    for number, days in sorted(courses.items()):
        first = days[0]
        dosages.append(
            {
                "sequence": len(dosages) + 1,
                "text": f"{first.dose_text} once a day for {len(days)} days (course {number})",
                "route": {"text": route},
                "timing": {
                    "repeat": {
                        "boundsPeriod": {"start": first.date.isoformat()},
                        "count": len(days),
                        "frequency": 1,
                        "period": 1,
                        "periodUnit": "d",
                    }
                },
                "doseAndRate": _quantity(first),
            }
        )
    return dosages


def _series_dosages(ctx: BundleContext, route: str) -> list[dict[str, Any]]:
    """One instruction per initial dose (an event), then the maintenance repeat from the first later dose."""
    therapy = ctx.therapy
    if therapy.regimen.kind != "series":
        return []
    initial = len(therapy.regimen.initial)
    dosages: list[dict[str, Any]] = []
    for visit in ctx.plan.visits:
        if visit.number <= initial:
            dosages.append(
                {
                    "sequence": len(dosages) + 1,
                    "text": f"Dose {visit.number}: {visit.dose_text}",
                    "route": {"text": route},
                    "timing": {"event": [visit.date.isoformat()]},
                    "doseAndRate": _quantity(visit),
                }
            )
    maintenance = therapy.regimen.maintenance
    later = [v for v in ctx.plan.visits if v.number > initial]
    if maintenance is not None and later:
        every = maintenance.every.value
        dosages.append(
            {
                "sequence": len(dosages) + 1,
                "text": f"{later[0].dose_text} every {every}",
                "route": {"text": route},
                "timing": {
                    "repeat": {
                        "boundsPeriod": {"start": later[0].date.isoformat()},
                        "frequency": 1,
                        "period": every.amount,
                        "periodUnit": _PERIOD_UNITS[every.unit],
                    }
                },
                "doseAndRate": _quantity(later[0]),
            }
        )
    return dosages


def dosage_instructions(ctx: BundleContext) -> list[dict[str, Any]]:
    """The dose timing by the regimen's shape (courses or a series); no dose quantity without mg."""
    therapy = ctx.therapy
    route = "Subcutaneous" if therapy.route == "subcutaneous" else "Intravenous"
    dosages = _course_dosages(ctx, route) if therapy.regimen.kind == "courses" else _series_dosages(ctx, route)
    for dosage in dosages:
        if not dosage["doseAndRate"]:
            del dosage["doseAndRate"]
    return dosages


def medication_request(ctx: BundleContext) -> list[Resource]:
    """The planned therapy for MS, with its dose timing; off-label use says who sets the regimen."""
    plan = ctx.plan
    request: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": ctx.ids("medication-request"),
        "status": "active",
        "intent": "plan",
        "medicationCodeableConcept": {"text": plan.generic},
        "subject": ref(ctx.patient_id),
        "reasonReference": [ref(ctx.ids("condition", "ms"))],
        "dosageInstruction": dosage_instructions(ctx),
    }
    if plan.approval == "off-label":
        request["note"] = [{"text": "Off-label use for MS: the prescriber sets the regimen."}]
    return [request]
