"""The center's booking side for staff: the months at a glance (booked chair-hours against capacity) and,
for admins, the booking settings the engine keeps (closed days, headroom).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from msinfusion.db import bookings, center_load
from msinfusion.db.center_catalog import center_today
from msinfusion.limits import ClinicalDay, max_chars
from msinfusion.prescriptions import RecordProblem
from msinfusion.web.dependencies import AppSettings, Now, Principal
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited
from msinfusion.web.views import center_load as load_view

router = APIRouter(prefix="/staff", include_in_schema=False)


LOAD_MONTHS = 3


@router.get("/load", response_class=HTMLResponse)
def load_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("read", "center_load")],
    at: Now,
    settings: AppSettings,
    start: Annotated[ClinicalDay | None, Query()] = None,
) -> Response:
    today = center_today(work.db, principal.center_id, at)
    first = (start or today).replace(day=1)
    last = _add_months(first, LOAD_MONTHS) - timedelta(days=1)
    load = center_load.center_load(work.db, principal.center_id, first, last, today, settings.jurisdiction)
    work.audit(object_id=principal.center_id, details={"first": first.isoformat(), "last": last.isoformat()})
    context = {
        "first": first,
        "last": last,
        "previous": _add_months(first, -LOAD_MONTHS),
        "following": _add_months(first, LOAD_MONTHS),
        "load": load,
        "months": load_view.months(load),
        "level": load_view.level,
        "hours": load_view.hours,
        "headroom": round(bookings.HEADROOM * 100),
    }
    return render(request, "staff/booking_load.html", context)


def _add_months(day: date, count: int) -> date:
    month = day.month - 1 + count
    return date(day.year + month // 12, month % 12 + 1, 1)


def _settings_page(
    request: Request,
    work: UnitOfWork,
    principal: Principal,
    at: datetime,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    fields = bookings.center_fields(work.db, principal.center_id)
    today = center_today(work.db, principal.center_id, at)
    context = {
        "closures": "\n".join(fields["closures"]),
        "headroom": round(fields["headroom"] * 100),
        "on_closed_days": bookings.visits_on_closed_days(work.db, principal.center_id, today),
        "error": error,
        "saved": request.query_params.get("saved"),
    }
    return render(request, "staff/booking_settings.html", context, status_code=status_code)


@router.get("/center/booking", response_class=HTMLResponse)
def booking_settings_page(
    request: Request,
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("read", "center_booking_settings")],
    at: Now,
) -> Response:
    work.audit(object_id=principal.center_id)
    return _settings_page(request, work, principal, at)


@router.post("/center/booking")
def save_booking_settings(
    request: Request,
    closures: Annotated[str, Form(max_length=max_chars("booking.closures"))],
    headroom: Annotated[str, Form(max_length=max_chars("booking.headroom"))],
    principal: Annotated[Principal, policy("admin-center")],
    work: Annotated[UnitOfWork, audited("update", "center_booking_settings")],
    at: Now,
) -> Response:
    try:
        days = [date.fromisoformat(line.strip()) for line in closures.splitlines() if line.strip()]
        share = float(headroom) / 100
        bookings.save_booking_settings(work.db, principal.center_id, days, share, principal.user_id, at)
    except (RecordProblem, ValueError) as exc:
        work.discard()
        message = str(exc) if isinstance(exc, RecordProblem) else "Write one date a line (2027-12-24) and a percentage."
        return _settings_page(request, work, principal, at, error=message, status_code=422)
    work.audit(object_id=principal.center_id, details={"closures": len(days), "headroom": share})
    return RedirectResponse("/staff/center/booking?saved=1", status_code=303)
