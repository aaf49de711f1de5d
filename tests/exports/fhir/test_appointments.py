"""An Appointment per planned visit."""

from __future__ import annotations

from msinfusion.exports.fhir.appointments import appointments
from msinfusion.exports.fhir.context import BundleContext
from tests.exports.conftest import make_plan


def test_each_visit_is_an_appointment_with_the_days_arrival_and_finish() -> None:
    plan = make_plan()
    resources = appointments(BundleContext(plan))
    assert len(resources) == len(plan.visits)
    assert resources[0]["patientInstruction"].startswith("Arrive by")
    assert "Expect to finish around" in resources[0]["patientInstruction"]
    assert len(resources[0]["participant"]) == 3  # patient, center, driver
    assert len(appointments(BundleContext(make_plan(filled=False)))[0]["participant"]) == 2
