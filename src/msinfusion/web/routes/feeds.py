"""The private calendar feed: ``GET /feeds/{token}.ics``, where the secret in the URL is the credential.

Calendar apps fetch the feed without cookies, so the route is public and the token does the work: it
is looked up by its SHA-256, and a revoked or unknown token gets the same 404 (nothing about whether
it ever existed). The feed holds only what the patient's plan would show them.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from msinfusion.db import calendar_feeds
from msinfusion.db.models import Patient
from msinfusion.db.patient_plan import load_plan
from msinfusion.exports.ical import feed_ics
from msinfusion.web import audit_trail
from msinfusion.web.dependencies import Principal, db_session, now
from msinfusion.web.policies import policy

router = APIRouter(include_in_schema=False)


@router.get("/feeds/{token}.ics")
def calendar_feed(
    request: Request,
    token: str,
    _principal: Principal | None = policy("public"),
    db: Session = Depends(db_session),
    at: datetime = Depends(now),
) -> Response:
    row = calendar_feeds.find(db, token)
    patient = db.get(Patient, row.patient_id) if row is not None else None
    if row is None or patient is None:
        raise HTTPException(404, "This calendar link is not valid. Make a new one in your plan.")
    view = load_plan(db, patient, at)
    if view.plan is None:
        raise HTTPException(404, "There is no plan to show yet.")
    audit_trail.record(db, request, None, "export", "calendar_feed", object_id=row.id, patient_id=patient.id)
    db.commit()
    return Response(feed_ics(view.plan), media_type="text/calendar; charset=utf-8")
