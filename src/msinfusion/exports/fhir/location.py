"""The infusion center as a Location."""

from __future__ import annotations

from msinfusion.exports.fhir.context import BundleContext, Resource, telecom


def location(ctx: BundleContext) -> list[Resource]:
    """The center's name, phone and address."""
    center = ctx.plan.center
    return [
        {
            "resourceType": "Location",
            "id": ctx.ids("location"),
            "status": "active",
            "name": center.name,
            "telecom": telecom(center.phone),
            "address": {
                "line": center.address.lines,
                "city": center.address.city,
                **({"state": center.address.region} if center.address.region else {}),
                **({"postalCode": center.address.postal_code} if center.address.postal_code else {}),
                "country": center.address.country,
            },
        }
    ]
