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

router = APIRouter(prefix="/api", tags=["meta"])


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


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _principal: Annotated[Principal | None, policy("public")]) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema


@router.get("/me", response_model=Me)
def me(principal: Annotated[Principal, policy("authenticated")]) -> Me:
    return Me(**principal.__dict__)
