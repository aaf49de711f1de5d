"""Staff pages for the therapy catalog: every therapy, its sourced facts, and center overrides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from msinfusion.db.center_catalog import current_overrides
from msinfusion.db.models import CatalogOverride
from msinfusion.limits import max_chars
from msinfusion.therapies import OverrideError, apply_overrides, load_catalog
from msinfusion.therapies.catalog import all_facts, show
from msinfusion.web.dependencies import (
    DbSession,
    Now,
    Principal,
    find_therapy,
)
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited
from msinfusion.web.views import catalog as catalog_view

router = APIRouter(prefix="/staff/catalog", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def catalog_page(request: Request, principal: Annotated[Principal, policy("staff-center")], db: DbSession) -> Response:
    overrides = current_overrides(db, principal.center_id)
    therapies = [catalog_view.summary(t, overrides) for t in load_catalog()]
    return render(request, "staff/catalog.html", {"therapies": therapies})


@router.get("/{therapy_id}", response_class=HTMLResponse)
def therapy_page(
    request: Request, therapy_id: str, principal: Annotated[Principal, policy("staff-center")], db: DbSession
) -> Response:
    therapy = find_therapy(therapy_id)
    view = catalog_view.detail(db, therapy, principal.center_id)
    return render(request, "staff/therapy.html", {"therapy": view, "can_override": principal.role == "admin"})


@router.post("/{therapy_id}/overrides")
def record_override(
    request: Request,
    therapy_id: str,
    field: Annotated[str, Form(max_length=max_chars("catalog.field"))],
    reason: Annotated[str, Form(min_length=3, max_length=max_chars("catalog.reason"))],
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("update", "catalog_override")],
    at: Now,
    value: Annotated[str, Form(max_length=max_chars("catalog.value"))] = "",
) -> Response:
    """Record a center override of one sourced value (an empty value goes back to the catalog default)."""
    therapy = find_therapy(therapy_id)
    defaults = dict(all_facts(therapy))
    if field not in defaults:
        raise HTTPException(422, "That value is not in this therapy's data file.")
    current = current_overrides(work.db, principal.center_id, therapy.id)
    default = defaults[field].value
    try:
        new_value = catalog_view.parse_override(default, value) if value.strip() else None
    except ValueError:
        view = catalog_view.detail(work.db, therapy, principal.center_id)
        error = f"“{field}” needs a number, like the catalog default ({show(default)})."
        return render(
            request, "staff/therapy.html", {"therapy": view, "can_override": True, "error": error}, status_code=422
        )
    proposed = {f: v for (_, f), v in current.items() if f != field}
    if new_value is not None:
        proposed[field] = new_value
    try:
        apply_overrides(therapy, proposed)
    except OverrideError as exc:
        view = catalog_view.detail(work.db, therapy, principal.center_id)
        return render(
            request,
            "staff/therapy.html",
            {"therapy": view, "can_override": True, "error": f"That value does not fit: {exc}"},
            status_code=422,
        )
    old_value = current.get((therapy.id, field), catalog_view.jsonable(default))
    override = CatalogOverride(
        center_id=principal.center_id,
        therapy_id=therapy.id,
        field=field,
        old_value=old_value,
        new_value=new_value,
        reason=reason.strip(),
        user_id=principal.user_id,
        created_at=at,
    )
    work.db.add(override)
    work.db.flush()
    work.audit(
        object_id=override.id,
        details={"therapy": therapy.id, "field": field},
    )
    return RedirectResponse(f"/staff/catalog/{therapy.id}#history", status_code=303)
