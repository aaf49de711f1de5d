"""An Appointment per planned visit: booked when the time is confirmed, proposed otherwise."""

from __future__ import annotations

from typing import Any

from msinfusion.exports.fhir.codes import BASE_URL
from msinfusion.exports.fhir.context import BundleContext, Resource, ref
from msinfusion.preparation import Stage


def appointment_id(ctx: BundleContext, number: int) -> str:
    """The id of the appointment for dose ``number``."""
    return ctx.ids("appointment", number)


def appointments(ctx: BundleContext) -> list[Resource]:
    """Each visit with the patient, the center and the driver (optional); arrival and finish as instruction."""
    _ = ctx.t.gettext
    pid, loc = ctx.patient_id, ctx.ids("location")
    resources: list[Resource] = []
    for visit in ctx.plan.visits:
        participants: list[dict[str, Any]] = [
            {"actor": ref(pid), "required": "required", "status": "accepted"},
            {"actor": ref(loc), "required": "required", "status": "accepted"},
        ]
        if ctx.driver_id:
            participants.append({"actor": ref(ctx.driver_id), "required": "optional", "status": "tentative"})
        instruction = " ".join(
            task.detail
            for task in visit.preparation.tasks
            if task.stage is Stage.DAY_OF and task.id in ("arrive", "finish")
        )
        resources.append(
            {
                "resourceType": "Appointment",
                "id": appointment_id(ctx, visit.number),
                "identifier": [{"system": f"{BASE_URL}/visit-uid", "value": visit.uid}],
                "status": "booked" if visit.times.confirmed else "proposed",
                "serviceType": [{"text": _("Infusion appointment")}],
                "description": _("Infusion appointment"),
                "start": visit.times.start.isoformat(),
                "end": visit.times.finish.isoformat(),
                "minutesDuration": visit.timeline.chair_minutes,
                "supportingInformation": [ref(ctx.ids("medication-request"))],
                "patientInstruction": instruction,
                "participant": participants,
            }
        )
    return resources
