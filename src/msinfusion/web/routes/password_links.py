"""The one-time set-password link: an invited person chooses their password, or someone sets a new one.

The link is its own credential (public route, looked up by hash); it works once, until it expires.
Setting the password ends every session of the account.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from msinfusion import passwords
from msinfusion.db import accounts
from msinfusion.web.dependencies import DbSession, Hasher, Now, Principal
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(include_in_schema=False)

DEAD_LINK = "This link has expired or was already used. Please ask your center's administrator for a new one."


@router.get("/set-password/{token}", response_class=HTMLResponse)
def set_password_page(
    request: Request, token: str, _principal: Annotated[Principal | None, policy("public")], db: DbSession, at: Now
) -> Response:
    link = accounts.live_link(db, token, at)
    db.commit()
    if link is None:
        return render(request, "set_password.html", {"dead": DEAD_LINK}, status_code=404)
    return render(request, "set_password.html", {"token": token, "purpose": link.purpose})


@router.post("/set-password/{token}", response_class=HTMLResponse)
def set_password(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=passwords.MAX_LENGTH)],
    confirm: Annotated[str, Form(max_length=passwords.MAX_LENGTH)],
    _principal: Annotated[Principal | None, policy("public")],
    work: Annotated[UnitOfWork, audited("update", "user")],
    at: Now,
    hasher: Hasher,
) -> Response:
    problem = passwords.password_problem(password)
    if problem is None and password != confirm:
        problem = "The two passwords are not the same."
    # Hash before touching the database, so the slow part holds no write lock.
    hashed = hasher.hash(password) if problem is None else None
    link = accounts.live_link(work.db, token, at)
    if link is None:
        work.discard()
        return render(request, "set_password.html", {"dead": DEAD_LINK}, status_code=404)
    if hashed is None:
        work.discard()
        context = {"token": token, "purpose": link.purpose, "error": problem}
        return render(request, "set_password.html", context, status_code=422)
    user = accounts.set_password(work.db, link, hashed, at)
    work.audit(object_id=user.id, actor=None, details={"password": "set", "purpose": link.purpose})
    return RedirectResponse("/login?password=set", status_code=303)
