"""The catalog and center profile as one center uses them: its overrides applied, its profile stored.

Every page that computes from a therapy (the patient's plan, staff calendars, the day schedule and
board) takes the therapy from here, so a recorded override changes what the center sees everywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, object_session

from msinfusion.center import WEEKDAYS, CenterProfile, OpeningHours, demo_center
from msinfusion.db.models import Center, Prescription
from msinfusion.therapies import Therapy, apply_overrides, load_catalog
from msinfusion.visits import VisitPhase, VisitPolicy, phases_for_treatment, treatment_codes
from msinfusion.web.catalog_view import current_overrides


def center_overrides(db: Session, center_id: int, therapy_id: str) -> dict[str, Any]:
    """The center's current overrides of one therapy, by value path."""
    return {field: value for (_, field), value in current_overrides(db, center_id, therapy_id).items()}


def center_therapy(db: Session, center_id: int, therapy_id: str) -> Therapy:
    """The therapy with the center's overrides applied (the catalog's when there are none)."""
    therapy = load_catalog().get(therapy_id)  # also resolves a brand or generic name to the catalog id
    return apply_overrides(therapy, center_overrides(db, center_id, therapy.id))


def center_profile(db: Session, center_id: int) -> CenterProfile:
    """The center as the plan needs it: the stored profile, with name, time zone and hours from the DB.

    A center created before profiles were stored falls back to the demo profile's details.
    """
    center = db.get_one(Center, center_id)
    base = CenterProfile.model_validate(center.profile) if center.profile else demo_center()
    hours = [OpeningHours(day=WEEKDAYS[h.weekday], opens=h.opens, closes=h.closes) for h in center.hours]
    return base.model_copy(
        update={
            "id": f"center-{center.id}",
            "name": center.name,
            "timezone": center.timezone,
            "hours": hours or base.hours,
        }
    )


def center_phases(db: Session, center_id: int, treatment: str, policy: VisitPolicy | None = None) -> list[VisitPhase]:
    """The visit phases of a treatment code at this center; ``KeyError`` for an unknown code."""
    spec = treatment_codes()[treatment]
    return phases_for_treatment(treatment, policy, center_therapy(db, center_id, spec.therapy))


def prescription_therapy(prescription: Prescription) -> Therapy:
    """The therapy of a stored prescription, as the patient's center uses it."""
    db = object_session(prescription)
    if db is None:
        return load_catalog().get(prescription.therapy_id)
    return center_therapy(db, prescription.patient.center_id, prescription.therapy_id)
