"""The therapy catalog as JSON, with this center's overrides."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from msinfusion.db.center_catalog import current_overrides
from msinfusion.therapies import load_catalog
from msinfusion.web import catalog_view
from msinfusion.web.catalog_view import TherapyDetail, TherapySummary
from msinfusion.web.dependencies import Principal, db_session
from msinfusion.web.policies import policy
from msinfusion.web.routes.staff_catalog import find_therapy

router = APIRouter(prefix="/api/therapies", tags=["catalog"])


@router.get("", response_model=list[TherapySummary])
def list_therapies(
    principal: Principal = policy("staff-center"), db: Session = Depends(db_session)
) -> list[TherapySummary]:
    overrides = current_overrides(db, principal.center_id)
    return [catalog_view.summary(t, overrides) for t in load_catalog()]


@router.get("/{therapy_id}", response_model=TherapyDetail)
def get_therapy(
    therapy_id: str, principal: Principal = policy("staff-center"), db: Session = Depends(db_session)
) -> TherapyDetail:
    return catalog_view.detail(db, find_therapy(therapy_id), principal.center_id)
