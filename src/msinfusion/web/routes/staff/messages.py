"""Staff page: delivery state of the e-mails about this center's patients (reminders, notices, address checks)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from msinfusion.db.comms_models import OUTBOX_STATES
from msinfusion.i18n import N_
from msinfusion.outbox.store import center_messages
from msinfusion.web.dependencies import Principal
from msinfusion.web.pages import render
from msinfusion.web.policies import policy
from msinfusion.web.unit_of_work import UnitOfWork, audited

router = APIRouter(prefix="/staff", include_in_schema=False)

KIND_NAMES = {
    "reminder": N_("Reminder"),
    "visit-notice": N_("Visit booked, moved or cancelled"),
    "check-notice": N_("Check answers need a call"),
    "verify-email": N_("Address confirmation"),
}


@router.get("/messages", response_class=HTMLResponse)
def messages_page(
    request: Request,
    principal: Annotated[Principal, policy("staff-center")],
    work: Annotated[UnitOfWork, audited("read", "outbox")],
    state: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    if state is not None and state not in OUTBOX_STATES:
        raise HTTPException(422, f"Choose a state: {', '.join(OUTBOX_STATES)}.")
    with work.reading() as db:
        rows = center_messages(db, principal.center_id, state=state)
    work.audit(details={"state": state, "shown": len(rows)})
    context = {"rows": rows, "states": OUTBOX_STATES, "state": state, "kinds": KIND_NAMES}
    return render(request, "staff/messages.html", context)
