"""API basics: health, the OpenAPI schema and who am I."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from msinfusion.web.dependencies import Principal, db_session
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
def health(_principal: Principal | None = policy("public"), db: Session = Depends(db_session)) -> Health:
    db.execute(text("SELECT 1"))
    return Health(status="ok")


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _principal: Principal | None = policy("public")) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema


@router.get("/me", response_model=Me)
def me(principal: Principal = policy("authenticated")) -> Me:
    return Me(**principal.__dict__)
