"""The CarePlan: its activities reference the request and every appointment, then the next visit's tasks."""

from __future__ import annotations

from typing import Any

from msinfusion.exports.fhir.appointments import appointment_id
from msinfusion.exports.fhir.context import BundleContext, Resource, ref


def care_plan(ctx: BundleContext) -> list[Resource]:
    """The plan's title, summary and disclaimer, with references (the R5 style, used on R4 too) and tasks."""
    plan = ctx.plan
    activities: list[dict[str, Any]] = [{"reference": ref(ctx.ids("medication-request"))}]
    activities += [{"reference": ref(appointment_id(ctx, visit.number))} for visit in plan.visits]
    if plan.next_visit:
        for task in plan.next_visit.preparation.tasks:
            activities.append(
                {
                    "detail": {
                        "kind": "Task",
                        "status": "not-started",
                        "description": f"{task.title}. {task.detail}",
                        "scheduledString": task.due.isoformat(),
                    }
                }
            )
    return [
        {
            "resourceType": "CarePlan",
            "id": ctx.ids("care-plan"),
            "status": "active",
            "intent": "plan",
            "title": plan.therapy_name,
            "description": plan.summary,
            "subject": ref(ctx.patient_id),
            "period": {"start": plan.start.isoformat()},
            "addresses": [ref(ctx.ids("condition", "ms"))],
            "activity": activities,
            "note": [{"text": plan.disclaimer}],
        }
    ]
