"""A day booked by the booking engine, with no optimizer run, on the what-if page in Chromium: the day as
booked is simulated, and the staff patient page shows an open change request; keyboard only, axe-clean,
reflowing at 320 px."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page

from msinfusion.db import bookings
from msinfusion.db.booking_models import ChangeRequest
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Appointment, Prescription
from tests.web.browser.conftest import LiveServer
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import PASSWORD

SHOTS = os.environ.get("MSINFUSION_SCREENSHOTS")  # a folder to keep screenshots in, for looking at the pages


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def first_visit(live_server: LiveServer) -> Appointment:
    """Patient a1's regimen booked by the engine (no optimizer run); the first visit."""
    database, world = live_server.app.state.database, live_server.world
    open_weekdays(database, world)
    now = datetime.now(UTC)
    with database.session() as db:
        prescription = db.get_one(Prescription, world.prescriptions["a1"])
        today = center_today(db, prescription.patient.center_id, now)
        preview = bookings.preview_regimen(db, prescription, today)
        made = bookings.write_bookings(
            db, prescription.patient.center_id, preview.plan, preview.bookings, [prescription], None, now, "test"
        )
        first = min(made, key=lambda a: a.day)
        db.add(
            ChangeRequest(
                appointment_id=first.id,
                patient_id=first.patient_id,
                center_id=first.center_id,
                unavailable=[first.day.isoformat()],
                time_of_day="afternoon",
                note="I work in the mornings",
                created_at=now,
            )
        )
        db.flush()
        db.expunge(first)
        return first


def _checked_and_narrow(page: Page, axe: Callable[[Page], None], name: str) -> None:
    axe(page)
    _shot(page, name)
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    axe(page)
    _shot(page, f"{name}-320")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_scheduler_simulates_the_day_as_booked_and_sees_the_open_request(
    page: Page, live_server: LiveServer, first_visit: Appointment, axe: Callable[[Page], None]
) -> None:
    page.goto("/login")
    page.focus("#username")
    page.keyboard.type("scheduler_a")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff")
    page.goto(f"/staff/schedule/what-if?day={first_visit.day}&runs=200")
    page.get_by_role("heading", name="Results of 200 simulated runs").wait_for()
    headers = page.locator("#what-if-metrics-caption + thead th").all_inner_texts()
    assert headers[1] == "Schedule A: The day as booked" and len(headers) == 2
    assert page.get_by_label("Schedule A").input_value() == "booked"
    _checked_and_narrow(page, axe, "what-if-booked")

    page.goto(f"/staff/patients/{first_visit.patient_id}")
    visit = page.locator(f"#visit-{first_visit.id}")
    assert "The patient asked to change this visit" in visit.inner_text()
    assert "I work in the mornings" in visit.inner_text() and "afternoon" in visit.inner_text()
    link = visit.get_by_role("link", name="Answer it in the change requests queue")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/staff/change-requests$|.*/staff/change-requests#request-\d+$"))
    page.go_back()
    _checked_and_narrow(page, axe, "patient-change-request")
