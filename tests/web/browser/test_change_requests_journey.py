"""A patient asks to change a visit (English and Spanish), a scheduler accepts one of the engine's places
from the queue and moves another visit from the move page, an admin saves the center editor: in
Chromium, keyboard only, axe-clean, reflowing at 320 px."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page

from msinfusion.db import bookings
from msinfusion.db.center_catalog import center_today
from msinfusion.db.models import Appointment, Center, Patient, Prescription
from tests.web.browser.conftest import LiveServer
from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import PASSWORD

SHOTS = os.environ.get("MSINFUSION_SCREENSHOTS")  # a folder to keep screenshots in, for looking at the pages


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.focus("#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/(patient|staff)$"))


def _press(page: Page, role: str, name: str) -> None:
    """Reach a control with the keyboard (focus) and press it with Enter."""
    page.get_by_role(role, name=name).first.focus()  # type: ignore[arg-type]
    page.keyboard.press("Enter")


def _checked_and_narrow(page: Page, axe: Callable[[Page], None], name: str) -> None:
    axe(page)
    _shot(page, name)
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    axe(page)
    _shot(page, f"{name}-320")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()


@pytest.fixture
def booked(live_server: LiveServer) -> list[int]:
    """Patient a1's regimen booked by the engine (the live server runs on the real clock)."""
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
        return [a.id for a in made]


@pytest.mark.parametrize(
    ("locale", "ask", "afternoon", "send", "sent"),
    [
        ("en", "Ask to change this visit", "Afternoon", "Send my request", "We sent your request"),
        ("es", "Pedir un cambio de esta visita", "Tarde", "Enviar mi pedido", "Enviamos su pedido"),
    ],
)
def test_a_patient_asks_to_change_a_visit_and_a_scheduler_accepts_an_engine_place(
    page: Page,
    live_server: LiveServer,
    booked: list[int],
    axe: Callable[[Page], None],
    locale: str,
    ask: str,
    afternoon: str,
    send: str,
    sent: str,
) -> None:
    with live_server.app.state.database.session() as db:
        db.get_one(Patient, live_server.world.patients["a1"]).locale = locale
    _sign_in(page, "patient_a1")
    page.goto("/patient")
    _press(page, "link", ask)
    page.wait_for_url(re.compile(r".*/patient/appointments/\d+/change$"))
    assert page.get_attribute("html", "lang") == locale
    _checked_and_narrow(page, axe, f"change-request-{locale}")
    page.get_by_role("radio", name=afternoon).focus()
    page.keyboard.press("Space")
    page.focus("#note")
    page.keyboard.type("School pick-up")
    _press(page, "button", send)
    page.wait_for_url("**?saved=asked")
    assert sent in page.locator("[role=status]").inner_text()
    axe(page)
    _shot(page, f"change-request-sent-{locale}")
    page.context.clear_cookies()
    _sign_in(page, "scheduler_a")
    _press(page, "link", "Change requests")
    page.wait_for_url("**/staff/change-requests")
    assert "School pick-up" in page.inner_text("main")
    _checked_and_narrow(page, axe, f"change-queue-{locale}")
    _press(page, "button", "Accept and move the visit")
    page.wait_for_url("**/staff/change-requests?saved=accepted")
    assert "No open requests." in page.inner_text("main")
    axe(page)


def test_a_scheduler_moves_a_visit_to_the_engines_suggestion(
    page: Page, live_server: LiveServer, booked: list[int], axe: Callable[[Page], None]
) -> None:
    second = booked[1]
    with live_server.app.state.database.session() as db:
        before = db.get_one(Appointment, second).day
    _sign_in(page, "scheduler_a")
    page.goto(f"/staff/appointments/{second}/move")
    assert page.get_by_role("heading", name="Suggested by the booking engine").is_visible()
    _checked_and_narrow(page, axe, "move-visit")
    _press(page, "button", "Move to the chosen time")
    page.wait_for_url(f"**/staff/patients/*?saved=moved#visit-{second}")
    with live_server.app.state.database.session() as db:
        assert db.get_one(Appointment, second).day != before
    axe(page)


def test_an_admin_saves_the_center_editor(page: Page, live_server: LiveServer, axe: Callable[[Page], None]) -> None:
    open_weekdays(live_server.app.state.database, live_server.world)
    _sign_in(page, "admin_a")
    page.goto("/staff/center/booking")
    _checked_and_narrow(page, axe, "center-editor")
    page.focus("#headroom")
    page.keyboard.press("Control+A")
    page.keyboard.type("150")
    _press(page, "button", "Save the center")
    page.wait_for_url("**/staff/center/booking")
    assert "Headroom" in page.get_by_role("alert").inner_text()
    assert page.get_attribute("#headroom", "aria-invalid") == "true"
    axe(page)
    _shot(page, "center-editor-error")
    page.focus("#headroom")
    page.keyboard.press("Control+A")
    page.keyboard.type("15")
    _press(page, "button", "Save the center")
    page.wait_for_url("**/staff/center/booking?saved=1")
    assert page.input_value("#headroom") == "15"
    axe(page)
    _center_planning(page, live_server, axe)


def _center_planning(page: Page, live_server: LiveServer, axe: Callable[[Page], None]) -> None:
    """The editor's Planning fieldset: a basis chosen with the keyboard, a wrong rate named, then saved."""
    planning = page.get_by_role("group", name="Visit times the day schedule plans with")
    assert planning.get_by_role("radio", name="The app default (now the label timeline)").is_checked()
    page.focus("#duration_basis-default")
    page.keyboard.press("ArrowDown")  # the label timeline
    page.keyboard.press("ArrowDown")  # the recorded median
    assert page.is_checked("#duration_basis-median")
    page.focus("#no_show_rate")
    page.keyboard.type("150")
    _press(page, "button", "Save the center")
    page.wait_for_url("**/staff/center/booking")
    assert "No-shows: a percentage from 0 to 100" in page.get_by_role("alert").inner_text()
    assert page.get_attribute("#no_show_rate", "aria-invalid") == "true"
    assert "settings-error" in (page.get_attribute("#no_show_rate", "aria-describedby") or "")
    axe(page)
    page.focus("#duration_basis-median")
    page.keyboard.press("Space")
    page.focus("#no_show_rate")
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    _press(page, "button", "Save the center")
    page.wait_for_url("**/staff/center/booking?saved=1")
    assert page.is_checked("#duration_basis-median") and page.input_value("#no_show_rate") == "8"
    axe(page)
    _shot(page, "center-editor-planning")
    page.set_viewport_size({"width": 640, "height": 400})  # a 1280 x 800 window at 200 % zoom
    page.reload()
    page.locator("#planning").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    axe(page)
    _shot(page, "center-editor-planning-200")
    page.set_viewport_size({"width": 1280, "height": 800})
    with live_server.app.state.database.session() as db:
        center = db.get_one(Center, live_server.world.centers["a"])
        assert (center.duration_basis, center.no_show_rate, center.add_on_rate) == ("median", 0.08, None)
