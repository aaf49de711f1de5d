"""The CarePlan references the request and the appointments and lists the next visit's tasks."""

from __future__ import annotations

from msinfusion.exports.fhir.care_plan import care_plan
from msinfusion.exports.fhir.context import BundleContext
from tests.exports.conftest import make_plan


def test_care_plan_activities_are_the_request_the_appointments_then_the_next_visits_tasks() -> None:
    plan = make_plan()
    [resource] = care_plan(BundleContext(plan))
    references = [a for a in resource["activity"] if "reference" in a]
    tasks = [a["detail"] for a in resource["activity"] if "detail" in a]
    assert len(references) == 1 + len(plan.visits)
    assert len(tasks) == len(plan.visits[0].preparation.tasks)
    assert resource["note"] == [{"text": plan.disclaimer}]
