"""Plans to export: the demo center, a fixed issue time, with and without a filled-in patient file."""

from __future__ import annotations

import datetime
from typing import Any

from msinfusion.center import demo_center
from msinfusion.plan import PersonalPlan, build_plan, patient_file
from msinfusion.therapies import load_catalog

START = datetime.date(2027, 1, 4)
ISSUED = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)

PATIENT: dict[str, Any] = {
    "id": "pt-7",
    "card": {
        "name": "Ana Torres",
        "date_of_birth": "1984-03-09",
        "allergies": [{"substance": "penicillin", "reaction": "hives"}],
        "medicines": [{"name": "vitamin D", "dose": "2000 IU", "how_often": "daily"}],
        "conditions": [{"name": "asthma", "note": "uses an inhaler"}],
        "emergency_contacts": [{"name": "Luis Torres", "relationship": "brother", "phone": "617-555-0123"}],
        "driver": {"name": "Marta Ruiz", "phone": "617-555-0188"},
    },
    "answers": {"infection": False, "antibiotics": True},
    "appointments": {"1": "2027-01-04T09:00:00"},
}


def make_plan(therapy: str = "ocrelizumab-iv", locale: str = "en", filled: bool = True, **kw: Any) -> PersonalPlan:
    patient = patient_file(PATIENT if filled else {}, today=ISSUED.date())
    kw.setdefault("center", demo_center())
    return build_plan(load_catalog().get(therapy), START, issued=ISSUED, bsa=1.8, patient=patient, locale=locale, **kw)
