"""The private calendar feed: ``GET /feeds/{token}.ics``, where the secret in the URL is the credential.

Calendar apps fetch the feed without cookies, so the route is public and the token does the work: it
is looked up by its SHA-256, and a revoked or unknown token gets the same 404 (nothing about whether
it ever existed). The feed holds only what the patient's plan would show them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from msinfusion.db import calendar_feeds
from msinfusion.db.models import Patient
from msinfusion.db.patient_plan import load_plan
from msinfusion.exports.ical import feed_ics
from msinfusion.web.dependencies import (
    AppSettings,
    Now,
    Principal,
)
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(include_in_schema=False)


@router.get("/feeds/{token}.ics")
def calendar_feed(
    token: str,
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("export", "calendar_feed")],
    at: Now,
    settings: AppSettings,
) -> Response:
    row = calendar_feeds.find(work.db, token, at, timedelta(days=settings.calendar_link_days))
    patient = work.db.get(Patient, row.patient_id) if row is not None else None
    if row is None or patient is None:
        raise HTTPException(404, "This calendar link is not valid. Make a new one in your plan.")
    view = load_plan(work.db, patient, at)
    if view.plan is None:
        raise HTTPException(404, "There is no plan to show yet.")
    work.audit(object_id=row.id, patient_id=patient.id)
    return Response(
        feed_ics(view.plan, *(o.plan for o in view.others if o.plan is not None)),
        media_type="text/calendar; charset=utf-8",
    )
