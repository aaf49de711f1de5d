"""Staff pages for the therapy catalog: every therapy, its sourced facts, and center overrides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from msinfusion.db.center_catalog import current_overrides, save_override
from msinfusion.limits import BrowserText, max_chars
from msinfusion.therapies import OverrideError, load_catalog
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
    observed = catalog_view.observed_durations(db, therapy, principal.center_id)
    context = {"therapy": view, "can_override": principal.role == "admin", "observed": observed}
    return render(request, "staff/therapy.html", context)


@router.post("/{therapy_id}/overrides")
def record_override(
    request: Request,
    therapy_id: str,
    field: Annotated[BrowserText, Form(max_length=max_chars("catalog.field"))],
    reason: Annotated[BrowserText, Form(min_length=3, max_length=max_chars("catalog.reason"))],
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("update", "catalog_override")],
    at: Now,
    value: Annotated[BrowserText, Form(max_length=max_chars("catalog.value"))] = "",
    clinician_reason: Annotated[BrowserText, Form(max_length=max_chars("clinician.reason"))] = "",
) -> Response:
    """Record a center override of one sourced value (an empty value goes back to the catalog default).

    Each value keeps a range from its meaning (:func:`msinfusion.therapies.range_problem`); an observation
    time below the catalog's needs a clinician's written reason, stored with the override.
    """
    therapy = find_therapy(therapy_id)
    defaults = dict(all_facts(therapy))
    if field not in defaults:
        raise HTTPException(422, "That value is not in this therapy's data file.")
    default = defaults[field].value

    def refused(error: str) -> Response:
        work.discard()
        view = catalog_view.detail(work.db, therapy, principal.center_id)
        observed = catalog_view.observed_durations(work.db, therapy, principal.center_id)
        context = {"therapy": view, "can_override": True, "error": error, "error_field": field, "observed": observed}
        return render(request, "staff/therapy.html", context, status_code=422)

    try:
        new_value = catalog_view.parse_override(default, value) if value.strip() else None
    except ValueError:
        return refused(f"“{field}” needs a number, like the catalog default ({show(default)}).")
    try:
        override = save_override(
            work.db,
            principal.center_id,
            therapy,
            field,
            new_value,
            catalog_view.jsonable(default),
            reason=reason,
            clinician_reason=clinician_reason,
            user_id=principal.user_id,
            at=at,
        )
    except OverrideError as exc:
        return refused(f"“{exc.field or field}” does not fit: {exc}")
    work.audit(
        object_id=override.id,
        details={"therapy": therapy.id, "field": field, "clinician_reason": override.clinician_reason is not None},
    )
    return RedirectResponse(f"/staff/catalog/{therapy.id}#history", status_code=303)
