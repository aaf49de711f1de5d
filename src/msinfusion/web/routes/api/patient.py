"""The signed-in patient's own data as JSON under ``/api/patient``: the same plan, tasks, card and check as the pages.

There is no patient id in these paths: the session says whose data it is, so nobody can ask for
someone else's. Bodies accept only the listed fields (422 otherwise); errors are problem+json.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from msinfusion.card import CardDetails, card_details
from msinfusion.db import calendar_feeds
from msinfusion.db.center_catalog import center_catalog, center_today
from msinfusion.db.patient_plan import PatientPlan, load_plan, save_check, set_tick, stored_card
from msinfusion.limits import BrowserText, max_chars, max_items
from msinfusion.plan import PersonalPlan
from msinfusion.screening import ScreeningError, ScreeningResult, assess
from msinfusion.web.dependencies import (
    Now,
    Principal,
    own_patient,
)
from msinfusion.web.policies import policy
from msinfusion.web.problems import CHANGED_MEANWHILE, PROBLEM_RESPONSES, problem
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/api/patient", tags=["patient"], responses=PROBLEM_RESPONSES)


class TaskOut(BaseModel):
    id: str
    stage: str
    due: date
    title: str
    detail: str
    reason: str
    items: list[str]
    done: bool


class PreparationOut(BaseModel):
    visit_uid: str
    visit_date: date
    tasks: list[TaskOut]


class TickIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task_id: Annotated[BrowserText, Field(max_length=max_chars("preparation.task_id"))]
    done: bool


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: dict[Annotated[BrowserText, Field(max_length=max_chars("check.question"))], bool] = Field(
        max_length=max_items("check.answers"), description="Answers by question id (yes = true)"
    )


class LanguageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    locale: Literal["en", "es"]


class FeedOut(BaseModel):
    url: str = Field(description="The private feed URL; shown once, keep it secret")
    created_at: datetime


def _view(db: Session, principal: Principal, at: datetime) -> PatientPlan:
    view = load_plan(db, own_patient(db, principal), at)
    if view.plan is None:
        raise HTTPException(404, view.problem or "No plan yet.")
    return view


@router.get("/plan", response_model=PersonalPlan)
def get_plan(
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "plan")],
    at: Now,
) -> PersonalPlan:
    view = _view(work.db, principal, at)
    work.audit(object_id=view.patient.id, patient_id=view.patient.id)
    assert view.plan is not None
    return view.plan


@router.get("/preparation", response_model=PreparationOut)
def get_preparation(
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "preparation")],
    at: Now,
) -> PreparationOut:
    view = _view(work.db, principal, at)
    visit = view.next_visit
    if visit is None:
        raise HTTPException(404, "No visit is planned.")
    work.audit(patient_id=view.patient.id)
    tasks = [
        TaskOut(**task.model_dump(include={"id", "stage", "due", "title", "detail", "reason", "items"}),
                done=task.id in view.ticked)
        for task in visit.preparation.tasks
    ]  # fmt: skip
    return PreparationOut(visit_uid=visit.uid, visit_date=visit.date, tasks=tasks)


@router.post("/preparation/ticks", status_code=204)
def tick(
    body: TickIn,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("update", "preparation_tick")],
    at: Now,
) -> Response:
    view = _view(work.db, principal, at)
    visit = view.next_visit
    if visit is None or body.task_id not in {t.id for t in visit.preparation.tasks}:
        raise HTTPException(422, "That task is not part of your next visit.")
    set_tick(work.db, view.patient.id, visit.uid, body.task_id, body.done, at)
    work.audit(patient_id=view.patient.id)
    return Response(status_code=204)


def _etag(version: int) -> str:
    return f'"{version}"'


@router.get("/card", response_model=CardDetails)
def get_card(
    response: Response,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "card")],
) -> CardDetails:
    """The card; its ``ETag`` is the card's version, to send back as ``If-Match`` when changing it."""
    patient = own_patient(work.db, principal)
    region = center_catalog(work.db, patient.center_id).profile.address.country
    work.audit(object_id=patient.id, patient_id=patient.id)
    response.headers["ETag"] = _etag(patient.version)
    return stored_card(patient, region)


def _card_changed(work: UnitOfWork, principal: Principal) -> Response:
    """409 with the card as it is now (and its ETag), after a change from an older version."""
    work.discard()
    patient = own_patient(work.db, principal)
    region = center_catalog(work.db, patient.center_id).profile.address.country
    current = stored_card(patient, region).model_dump(mode="json")
    answer = problem(409, CHANGED_MEANWHILE, current=current, version=patient.version)
    answer.headers["ETag"] = _etag(patient.version)
    return answer


_CARD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CardDetails"}}},
    }
}


@router.put("/card", response_model=CardDetails, openapi_extra=_CARD_BODY)
def put_card(
    body: Annotated[dict[str, Any], Body()],
    response: Response,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("update", "card")],
    at: Now,
    if_match: Annotated[str | None, Header(max_length=24, description="The card's ETag when it was read")] = None,
) -> Any:
    """Replace the card; with ``If-Match``, only if nobody changed it since (409 with the current card)."""
    patient = own_patient(work.db, principal)
    if if_match is not None and if_match.strip() != _etag(patient.version):
        return _card_changed(work, principal)
    # Phone numbers without "+" are read in the center's country, and "today" is the center's date,
    # so the body is validated here rather than by the framework.
    region = center_catalog(work.db, patient.center_id).profile.address.country
    try:
        card = card_details(body, region=region, today=center_today(work.db, patient.center_id, at))
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())) or "card", "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        return problem(422, "The card is not valid.", errors=errors)
    patient.card = card.model_dump(mode="json", exclude_defaults=True)
    try:
        work.db.flush()  # the row's version check: a change saved at the same moment fails here
    except StaleDataError:
        return _card_changed(work, principal)
    work.audit(object_id=patient.id, patient_id=patient.id)
    response.headers["ETag"] = _etag(patient.version)
    return card


@router.get("/check", response_model=ScreeningResult)
def get_check(
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("read", "check_answers")],
    at: Now,
) -> ScreeningResult:
    view = _view(work.db, principal, at)
    assert view.plan is not None
    if view.plan.check is None:
        raise HTTPException(404, "No visit is planned.")
    work.audit(patient_id=view.patient.id)
    return view.plan.check


@router.post("/check", response_model=ScreeningResult, status_code=201)
def post_check(
    body: CheckIn,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("create", "check_answers")],
    at: Now,
) -> ScreeningResult:
    view = _view(work.db, principal, at)
    visit = view.next_visit
    assert view.plan is not None
    if visit is None:
        raise HTTPException(404, "No visit is planned.")
    try:
        row, missing = save_check(work.db, view, body.answers, at)
    except ScreeningError:
        raise HTTPException(422, "An answer names a question that is not part of this check.") from None
    if row is None:
        raise HTTPException(422, f"Please answer every question: {', '.join(missing)}.")
    work.audit(object_id=row.id, patient_id=view.patient.id)
    return assess(view.plan.therapy_id, visit.number, body.answers, view.center, view.t)


@router.put("/language", status_code=204)
def put_language(
    body: LanguageIn,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("update", "patient_locale")],
) -> Response:
    patient = own_patient(work.db, principal)
    patient.locale = body.locale
    work.audit(patient_id=patient.id)
    return Response(status_code=204)


@router.post("/calendar-feed", response_model=FeedOut, status_code=201)
def post_feed(
    request: Request,
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("create", "calendar_feed")],
    at: Now,
) -> FeedOut:
    patient = own_patient(work.db, principal)
    token, row = calendar_feeds.issue(work.db, patient.id, at)
    work.audit(object_id=row.id, patient_id=patient.id)
    return FeedOut(url=str(request.base_url).rstrip("/") + calendar_feeds.feed_path(token), created_at=at)


@router.delete("/calendar-feed", status_code=204)
def delete_feed(
    principal: Annotated[Principal, policy("patient-self")],
    work: Annotated[UnitOfWork, audited("revoke", "calendar_feed")],
    at: Now,
) -> Response:
    patient = own_patient(work.db, principal)
    calendar_feeds.revoke_all(work.db, patient.id, at)
    work.audit(patient_id=patient.id)
    return Response(status_code=204)
