"""Errors as RFC 9457 problem details under /api/, as plain pages elsewhere; never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from msinfusion.web.dependencies import app_clock, app_database, app_settings, current_principal
from msinfusion.web.headers import security_headers
from msinfusion.web.pages import render
from msinfusion.web.policies import NotAuthenticated
from msinfusion.web.sessions import cookie_name, is_secure

log = logging.getLogger("msinfusion.web")

PROBLEM_JSON = "application/problem+json"


class Problem(BaseModel):
    """An error as RFC 9457 problem details; some add ``errors`` (by field), ``current`` (the state now)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None


_ERRORS = {
    400: "The request could not be read.",
    401: "Not signed in.",
    403: "Signed in, but this account may not do this (or the CSRF token is missing).",
    404: "Not found, or not yours.",
    409: "Conflicts with the current state (changed meanwhile, already recorded, key in use); nothing was saved.",
    413: "The request body is too large.",
    422: "A value is missing, too long, out of range or not valid; ``errors`` names the fields.",
    503: "The database cannot be reached just now; try again after ``Retry-After`` seconds.",
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {PROBLEM_JSON: {"schema": Problem.model_json_schema()}}}
    for status, description in _ERRORS.items()
}
"""The error answers every API operation documents (``APIRouter(responses=PROBLEM_RESPONSES)``)."""


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def wants_problem_json(request: Request) -> bool:
    """Whether to answer an error as problem+json: under /api/, or when the client asks for JSON."""
    accept = request.headers.get("accept", "")
    return is_api(request) or PROBLEM_JSON in accept or "application/json" in accept


def problem(status: int, detail: str | None = None, **extra: Any) -> JSONResponse:
    """A problem+json response with the standard title for ``status``."""
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _(message: str) -> str:
    """Mark ``message`` for the Spanish catalog; the error page translates it when it shows it."""
    return message


# Our own plain titles for the error pages (translated like every page); others use the standard phrase.
PAGE_TITLES = {
    400: _("This request cannot be used"),
    401: _("Please sign in"),
    403: _("You cannot do this here"),
    404: _("Page not found"),
    409: _("This changed in the meantime"),
    422: _("Some information is not valid"),
    405: _("This page cannot be used this way"),
    413: _("What you sent is too large"),
    429: _("Too many attempts"),
    500: _("Something went wrong"),
    503: _("Please try again in a minute"),
}
# Refusals raised across the app (policies, CSRF, patient routes) that a patient may see on an error
# page; listed here so the catalog keeps their Spanish text.
REFUSALS = (
    _("Not found."),
    _("Please sign in."),
    _("Your account cannot open this page."),
    _("The form has expired or did not come from this site. Please try again."),
    _("Cross-origin request refused."),
    _("Cross-site request refused."),
    _("Some of the information sent is not valid."),
    _("Something went wrong on our side. Please try again."),
    _("There is no plan to show yet."),
    _("This calendar link is not valid. Make a new one in your plan."),
    _("Your care team has not set up your record yet."),
    _("There is no address waiting to be confirmed."),
    _("There is no e-mail address on file."),
    _("Choose English or Español."),
    _("That username and password do not match. Please check them and try again."),
    _("Too many attempts. Please wait 15 minutes and try again, or ask the center for help."),
    # Refusals staff may see on an error page (staff pages are translated too).
    _("That value is not in this therapy's data file."),
    _("There is no therapy with that id in the catalog."),
    _("No optimizer run for this day yet."),
    _("No finished schedule for this day yet."),
    _("No visit is planned."),
    _("That task is not part of your next visit."),
    _("An answer names a question that is not part of this check."),
)


def _error_page(request: Request, status: int, detail: str | None) -> Response:
    title = PAGE_TITLES.get(status, HTTPStatus(status).phrase)
    return render(request, "error.html", {"status": status, "title": title, "detail": detail}, status_code=status)


def _respond(request: Request, status: int, detail: str | None, headers: dict[str, str] | None = None) -> Response:
    response = problem(status, detail) if wants_problem_json(request) else _error_page(request, status, detail)
    if headers:
        response.headers.update(headers)
    return response


async def _not_authenticated(request: Request, _exc: Exception) -> Response:
    if request.method == "GET" and not is_api(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    return _respond(request, 401, "Please sign in.")


def _find_principal(request: Request) -> None:
    """Who is signed in, for an error raised before any route ran (an unknown address): the page then
    speaks the account's language."""
    settings = app_settings(request)
    if getattr(request.state, "principal", None) is not None or not request.cookies.get(cookie_name(settings)):
        return
    with app_database(request).sessions() as db:
        current_principal(request, db, app_clock(request)(), settings)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if not is_api(request):
        await run_in_threadpool(_find_principal, request)
    return _respond(request, exc.status_code, detail, dict(exc.headers or {}))


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    # Name the fields and the problem; never echo the submitted values back.
    errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors()]
    if wants_problem_json(request):
        return problem(422, "The request is not valid.", errors=errors)
    return _error_page(request, 422, "Some of the information sent is not valid.")


CHANGED_MEANWHILE = _("Someone changed this at the same moment, so nothing was saved. Reload it and try again.")
DUPLICATE = _("This was already saved (perhaps by a second click or another window), so nothing new was saved.")
OUT_OF_RANGE = _("A value sent is outside the range this service stores.")
UNAVAILABLE = _("The service cannot reach its database just now. Nothing was saved; please try again in a minute.")
RETRY_AFTER = {"Retry-After": "30"}


async def _stale(request: Request, _exc: Exception) -> Response:
    """A row's version changed under the request (optimistic lock): 409, nothing saved."""
    return _respond(request, 409, CHANGED_MEANWHILE)


async def _integrity(request: Request, exc: Exception) -> Response:
    """A unique or exclusion constraint refused a concurrent duplicate: 409, never a 500."""
    log.info("constraint refused a write in %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return _respond(request, 409, DUPLICATE)


async def _data_error(request: Request, _exc: Exception) -> Response:
    """The database refused a value (out of range, NUL byte): 422."""
    return _respond(request, 422, OUT_OF_RANGE)


CONCURRENCY_SQLSTATES = frozenset({"40P01", "40001"})
"""PostgreSQL's deadlock_detected and serialization_failure: the write lost a race and was rolled back."""


def lost_a_race(exc: BaseException) -> bool:
    """Whether a database error is a transaction aborted by a concurrent one (nothing was written)."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in CONCURRENCY_SQLSTATES


async def _database_down(request: Request, exc: Exception) -> Response:
    """The database is unreachable or busy: 503 with Retry-After; the pool reconnects on the next request.

    A transaction that PostgreSQL aborted because it lost a race with another one (a deadlock between two
    overlapping bookings checked by the exclusion constraint, a serialization failure) is a 409 instead:
    nothing was written, and the same words as any other concurrent change tell the user to look again.
    """
    if lost_a_race(exc):
        log.info("a concurrent write won in %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return _respond(request, 409, CHANGED_MEANWHILE)
    log.warning("database unavailable in %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return _respond(request, 503, UNAVAILABLE, RETRY_AFTER)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error(
        "unhandled error in %s %s (request %s)",
        request.method,
        request.url.path,
        getattr(request.state, "request_id", "-"),
        exc_info=exc,
    )
    detail = "Something went wrong on our side. Please try again."
    response = problem(500, detail) if wants_problem_json(request) else _error_page(request, 500, detail)
    # Starlette answers unhandled errors outside the app's middleware, so add the headers here.
    response.headers.update(security_headers(static=False, hsts=is_secure(app_settings(request))))
    return response


def install(app: FastAPI) -> None:
    """Register the error handlers on ``app``."""
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StaleDataError, _stale)
    app.add_exception_handler(sa_exc.IntegrityError, _integrity)
    app.add_exception_handler(sa_exc.DataError, _data_error)
    app.add_exception_handler(sa_exc.OperationalError, _database_down)
    app.add_exception_handler(sa_exc.InterfaceError, _database_down)
    app.add_exception_handler(sa_exc.TimeoutError, _database_down)  # no pooled connection came free
    app.add_exception_handler(Exception, _server_error)
