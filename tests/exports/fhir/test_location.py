"""The center as a Location."""

from __future__ import annotations

from msinfusion.exports.fhir.context import BundleContext
from msinfusion.exports.fhir.location import location
from tests.exports.conftest import make_plan


def test_location_has_the_centers_name_phone_and_address() -> None:
    plan = make_plan()
    [resource] = location(BundleContext(plan))
    assert resource["name"] == plan.center.name
    assert resource["telecom"] == [{"system": "phone", "value": plan.center.phone}]
    assert resource["address"]["city"] == plan.center.address.city


def test_a_center_with_no_stored_profile_exports_its_name_only_never_a_fictional_phone_or_address() -> None:
    plan = make_plan(center=None)
    [resource] = location(BundleContext(plan))
    assert resource["name"] == plan.center.name
    assert "telecom" not in resource and "address" not in resource
