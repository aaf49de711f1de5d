"""Writing audit entries from a request: who (principal), which request, when (the app clock)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from msinfusion.db import audit
from msinfusion.web.dependencies import Principal


def record(
    db: Session,
    request: Request,
    principal: Principal | None,
    action: str,
    object_type: str,
    *,
    object_id: str | int | None = None,
    patient_id: int | None = None,
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry in ``db``'s transaction (ids only, never PHI text)."""
    audit.record(
        db,
        at=request.app.state.clock(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        outcome=outcome,
        actor_user_id=principal.user_id if principal else None,
        actor_role=principal.role if principal else None,
        center_id=principal.center_id if principal else None,
        patient_id=patient_id,
        request_id=getattr(request.state, "request_id", None),
        details=details,
    )
