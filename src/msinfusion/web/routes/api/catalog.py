"""The therapy catalog as JSON, with this center's overrides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from msinfusion.db.center_catalog import current_overrides
from msinfusion.therapies import load_catalog
from msinfusion.web.dependencies import (
    DbSession,
    Principal,
    find_therapy,
)
from msinfusion.web.policies import policy
from msinfusion.web.problems import PROBLEM_RESPONSES
from msinfusion.web.views import catalog as catalog_view
from msinfusion.web.views.catalog import TherapyDetail, TherapySummary

router = APIRouter(prefix="/api/therapies", tags=["catalog"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=list[TherapySummary])
def list_therapies(principal: Annotated[Principal, policy("staff-center")], db: DbSession) -> list[TherapySummary]:
    overrides = current_overrides(db, principal.center_id)
    return [catalog_view.summary(t, overrides) for t in load_catalog()]


@router.get("/{therapy_id}", response_model=TherapyDetail)
def get_therapy(
    therapy_id: str, principal: Annotated[Principal, policy("staff-center")], db: DbSession
) -> TherapyDetail:
    return catalog_view.detail(db, find_therapy(therapy_id), principal.center_id)
