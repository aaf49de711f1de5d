"""What each FHIR resource builder reads: the plan, the patient's translator and deterministic resource ids."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from msinfusion.exports.fhir.codes import BASE_URL
from msinfusion.i18n import Translator, translator
from msinfusion.plan import PersonalPlan
from msinfusion.therapies import Therapy, load_catalog

Resource = dict[str, Any]
"""One FHIR resource as JSON-ready data."""


class ResourceIds:
    """Deterministic resource ids (uuid5 of the plan's key), so a re-export keeps every id."""

    def __init__(self, plan: PersonalPlan) -> None:
        key = plan.patient.id or f"{plan.therapy_id}|{plan.start.isoformat()}"
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE_URL}/plan/{key}")

    def __call__(self, *parts: object) -> str:
        return str(uuid.uuid5(self.namespace, "/".join(str(p) for p in parts)))


@dataclass(frozen=True)
class BundleContext:
    """One plan being exported; ``ids`` names every resource the same way in every builder."""

    plan: PersonalPlan
    t: Translator = field(init=False)
    ids: ResourceIds = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "t", translator(self.plan.locale))
        object.__setattr__(self, "ids", ResourceIds(self.plan))

    @property
    def therapy(self) -> Therapy:
        """The plan's therapy from the catalog (route and regimen shape for the dose timing)."""
        return load_catalog().get(self.plan.therapy_id)

    @property
    def patient_id(self) -> str:
        return self.ids("patient")

    @property
    def driver_id(self) -> str | None:
        return self.ids("driver") if self.plan.card.details.driver else None


def ref(resource_id: str) -> dict[str, str]:
    """A reference to a resource in the same bundle."""
    return {"reference": f"urn:uuid:{resource_id}"}


def telecom(phone: str) -> list[dict[str, str]]:
    """A phone number as FHIR contact points."""
    return [{"system": "phone", "value": phone}]
