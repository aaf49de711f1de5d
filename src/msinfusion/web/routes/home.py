"""The home page, which sends each role to its own start page, and the staff start page.

The patient start page, "My plan" at ``/patient``, is in :mod:`msinfusion.web.routes.patient.plan`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from msinfusion.web.dependencies import (
    Principal,
)
from msinfusion.web.pages import render
from msinfusion.web.policies import policy

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(principal: Annotated[Principal, policy("authenticated")]) -> Response:
    return RedirectResponse("/staff" if principal.is_staff else "/patient", status_code=303)


@router.get("/staff", response_class=HTMLResponse)
def staff_home(request: Request, principal: Annotated[Principal, policy("staff-center")]) -> Response:
    return render(request, "staff/home.html")
