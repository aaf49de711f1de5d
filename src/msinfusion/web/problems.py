"""Errors as RFC 9457 problem details under /api/, as plain pages elsewhere; never a stack trace."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from msinfusion.web.dependencies import app_clock, app_database, app_settings, current_principal
from msinfusion.web.headers import security_headers
from msinfusion.web.pages import render
from msinfusion.web.policies import NotAuthenticated
from msinfusion.web.sessions import cookie_name, is_secure

log = logging.getLogger("msinfusion.web")

PROBLEM_JSON = "application/problem+json"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


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
    429: _("Too many attempts"),
    500: _("Something went wrong"),
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
)


def _error_page(request: Request, status: int, detail: str | None) -> Response:
    title = PAGE_TITLES.get(status, HTTPStatus(status).phrase)
    return render(request, "error.html", {"status": status, "title": title, "detail": detail}, status_code=status)


def _respond(request: Request, status: int, detail: str | None, headers: dict[str, str] | None = None) -> Response:
    response = problem(status, detail) if is_api(request) else _error_page(request, status, detail)
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
    if is_api(request):
        return problem(422, "The request is not valid.", errors=errors)
    return _error_page(request, 422, "Some of the information sent is not valid.")


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error(
        "unhandled error in %s %s (request %s)",
        request.method,
        request.url.path,
        getattr(request.state, "request_id", "-"),
        exc_info=exc,
    )
    detail = "Something went wrong on our side. Please try again."
    response = problem(500, detail) if is_api(request) else _error_page(request, 500, detail)
    # Starlette answers unhandled errors outside the app's middleware, so add the headers here.
    response.headers.update(security_headers(static=False, hsts=is_secure(app_settings(request))))
    return response


def install(app: FastAPI) -> None:
    """Register the error handlers on ``app``."""
    app.add_exception_handler(NotAuthenticated, _not_authenticated)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
