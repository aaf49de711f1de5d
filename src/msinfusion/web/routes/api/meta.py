"""API basics: health, the OpenAPI schema and who am I."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from msinfusion.web.dependencies import (
    DbSession,
    Principal,
)
from msinfusion.web.policies import policy
from msinfusion.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api", tags=["meta"], responses=PROBLEM_RESPONSES)


class Health(BaseModel):
    status: str


class Me(BaseModel):
    user_id: int
    username: str
    display_name: str
    role: str
    center_id: int
    patient_id: int | None


@router.get("/health", response_model=Health)
def health(_principal: Annotated[Principal | None, policy("public")], db: DbSession) -> Health:
    db.execute(text("SELECT 1"))
    return Health(status="ok")


# Times of day and some instants in the plan are the center's local wall-clock time, sent without a UTC
# offset ("07:00:00", "2027-03-08T07:15:00"); JSON Schema's "time" and "date-time" formats (RFC 3339)
# require one, so the schema says what is really sent: the offset is optional.
LOCAL_TIME = {"type": "string", "pattern": r"^\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$"}
LOCAL_DATE_TIME = {
    "type": "string",
    "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$",
}


def _with_local_times(node: Any) -> Any:
    """The schema with each time / date-time format replaced by the pattern above (descriptions kept)."""
    if isinstance(node, list):
        return [_with_local_times(item) for item in node]
    if not isinstance(node, dict):
        return node
    changed = {key: _with_local_times(value) for key, value in node.items()}
    replacement = {"time": LOCAL_TIME, "date-time": LOCAL_DATE_TIME}.get(changed.get("format", ""))
    if replacement is not None and changed.get("type") == "string":
        changed.pop("format")
        changed.update(replacement)
    return changed


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _principal: Annotated[Principal | None, policy("public")]) -> dict[str, Any]:
    schema: dict[str, Any] = _with_local_times(request.app.openapi())
    return schema


@router.get("/me", response_model=Me)
def me(principal: Annotated[Principal, policy("authenticated")]) -> Me:
    return Me(**principal.__dict__)
