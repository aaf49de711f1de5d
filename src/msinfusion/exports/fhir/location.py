"""The infusion center as a Location."""

from __future__ import annotations

from msinfusion.exports.fhir.context import BundleContext, Resource, telecom


def location(ctx: BundleContext) -> list[Resource]:
    """The center's name, phone and address; a center with no stored profile gets its name only.

    The stand-in for an unlisted center carries a placeholder phone and address (so the types hold);
    they are never exported as if they were the center's.
    """
    center = ctx.plan.center
    resource: Resource = {
        "resourceType": "Location",
        "id": ctx.ids("location"),
        "status": "active",
        "name": center.name,
    }
    if center.listed:
        resource["telecom"] = telecom(center.phone)
        resource["address"] = {
            "line": center.address.lines,
            "city": center.address.city,
            **({"state": center.address.region} if center.address.region else {}),
            **({"postalCode": center.address.postal_code} if center.address.postal_code else {}),
            "country": center.address.country,
        }
    return [resource]
