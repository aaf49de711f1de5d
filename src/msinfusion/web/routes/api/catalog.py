"""The therapy catalog as JSON, with this center's overrides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from msinfusion.db.center_catalog import current_overrides, save_override
from msinfusion.limits import BrowserText, max_chars
from msinfusion.therapies import OverrideError, load_catalog
from msinfusion.therapies.catalog import all_facts
from msinfusion.web.dependencies import (
    DbSession,
    Now,
    Principal,
    find_therapy,
)
from msinfusion.web.policies import policy
from msinfusion.web.problems import PROBLEM_RESPONSES, problem
from msinfusion.web.unit_of_work import UnitOfWork, audited
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


class OverrideIn(BaseModel):
    """A center override of one sourced value; ``value`` null goes back to the catalog default."""

    model_config = ConfigDict(extra="forbid")

    field: Annotated[BrowserText, Field(max_length=max_chars("catalog.field"))]
    value: Any = None
    reason: Annotated[BrowserText, Field(min_length=3, max_length=max_chars("catalog.reason"))]
    clinician_reason: Annotated[BrowserText, Field(max_length=max_chars("clinician.reason"))] = ""


class OverrideOut(BaseModel):
    id: int
    therapy_id: str
    field: str
    new_value: Any
    clinician_reason: str | None


@router.post(
    "/{therapy_id}/overrides",
    response_model=OverrideOut,
    status_code=201,
    responses={422: {**PROBLEM_RESPONSES[422], "description": "Refused: `field` names the value that does not fit"}},
)
def create_override(
    therapy_id: str,
    body: OverrideIn,
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("update", "catalog_override")],
    at: Now,
) -> OverrideOut | JSONResponse:
    """Record a center override; a value out of its range is refused with the field named."""
    therapy = find_therapy(therapy_id)
    defaults = dict(all_facts(therapy))
    if body.field not in defaults:
        raise HTTPException(422, "That value is not in this therapy's data file.")
    try:
        override = save_override(
            work.db,
            principal.center_id,
            therapy,
            body.field,
            body.value,
            catalog_view.jsonable(defaults[body.field].value),
            reason=body.reason,
            clinician_reason=body.clinician_reason,
            user_id=principal.user_id,
            at=at,
        )
    except OverrideError as exc:
        work.discard()
        return problem(422, str(exc), field=exc.field or body.field)
    work.audit(
        object_id=override.id,
        details={"therapy": therapy.id, "field": body.field, "clinician_reason": override.clinician_reason is not None},
    )
    return OverrideOut(
        id=override.id,
        therapy_id=therapy.id,
        field=override.field,
        new_value=override.new_value,
        clinician_reason=override.clinician_reason,
    )
