"""The ``Idempotency-Key`` header on the API's POSTs: a retry gets the first response, not a second change.

Follows the IETF draft (draft-ietf-httpapi-idempotency-key-header): the first request with a key runs
and its response is kept per user and key (:mod:`msinfusion.db.idempotency`); a repeat with the same
body gets that response again (with ``Idempotent-Replayed: true``); a repeat while the first is still
running gets 409; the same key with another body gets 422. Without the header nothing changes. Requests
that are not signed in, or fail the CSRF check, run as usual (and are refused there).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from fastapi import HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from msinfusion.db import idempotency
from msinfusion.db.database import Database
from msinfusion.limits import max_chars
from msinfusion.web import csrf, sessions
from msinfusion.web.dependencies import app_clock, app_database, app_settings
from msinfusion.web.problems import problem

HEADER = "Idempotency-Key"


def _signed_in_user(database: Database, token: str | None, now: datetime, request: Request) -> int | None:
    if not token or len(token) > 100:
        return None
    with database.read_session() as db:
        session, _ = sessions.find(db, token, now, app_settings(request))
        return session.user_id if session is not None else None


def _fingerprint(request: Request, body: bytes) -> str:
    digest = hashlib.sha256(f"{request.method} {request.url.path}?{request.url.query}\n".encode())
    digest.update(body)
    return digest.hexdigest()


class IdempotencyMiddleware(BaseHTTPMiddleware):
    """Replay the first response to a POST under ``/api/`` that carries an ``Idempotency-Key``."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.url.path.startswith("/api/"):
            return await call_next(request)
        if not 1 <= len(key) <= max_chars("idempotency_key") or not key.isascii() or not key.isprintable():
            return problem(
                422, f"The {HEADER} header must be 1 to {max_chars('idempotency_key')} printable characters."
            )
        settings = app_settings(request)
        token = request.cookies.get(sessions.cookie_name(settings))
        if token:
            request.state.session_token = token  # the CSRF token is bound to the session
        try:
            await csrf.check(request)
        except HTTPException:
            return await call_next(request)  # the route refuses it, as without the header
        database, now = app_database(request), app_clock(request)()
        user_id = await run_in_threadpool(_signed_in_user, database, token, now, request)
        if user_id is None:
            return await call_next(request)
        body = await request.body()
        claim = await run_in_threadpool(idempotency.claim, database, user_id, key, _fingerprint(request, body), now)
        if claim.outcome == "other_request":
            return problem(422, f"This {HEADER} was already used for a different request.")
        if claim.outcome == "in_flight":
            return problem(409, f"A request with this {HEADER} is still being processed. Try again in a moment.")
        if claim.outcome == "replay":
            replayed = Response(
                content=(claim.body or "").encode(), status_code=claim.status_code or 200, media_type=claim.content_type
            )
            replayed.headers["Idempotent-Replayed"] = "true"
            return replayed
        try:
            response = await call_next(request)
            content = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        except BaseException:
            await run_in_threadpool(idempotency.release, database, user_id, key)
            raise
        if response.status_code >= 500:
            await run_in_threadpool(idempotency.release, database, user_id, key)
        else:
            text = content.decode("utf-8", errors="replace")
            kind = response.headers.get("content-type")
            await run_in_threadpool(idempotency.fill, database, user_id, key, response.status_code, kind, text)
        return Response(content=content, status_code=response.status_code, headers=dict(response.headers))
