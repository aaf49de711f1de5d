"""Booking a regimen end to end in Chromium: plan (a job; the page waits for it), confirm, the patient page,
the months at a glance; two schedulers confirming at once. Keyboard only, axe-clean, reflowing at 320 px."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.web.lifecycle_world import open_weekdays
from tests.web.web_world import PASSWORD

SHOTS = os.environ.get("MSINFUSION_SCREENSHOTS")  # a folder to keep screenshots in, for looking at the pages


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _sign_in(page: Page, username: str) -> Page:
    page.goto("/login")
    page.focus("#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff")
    return page


def _press(page: Page, name: str) -> None:
    """Reach a button with the keyboard (focus) and press it with Enter."""
    page.get_by_role("button", name=name).focus()
    page.keyboard.press("Enter")


def _press_first(page: Page, name: str) -> None:
    page.get_by_role("button", name=name).first.focus()
    page.keyboard.press("Enter")


def _fits(page: Page, width: int = 320) -> None:
    """At ``width`` px the page never scrolls sideways (wide tables scroll inside their own box)."""
    page.set_viewport_size({"width": width, "height": 640})
    page.reload()
    _shot(page, "narrow")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()


@pytest.fixture
def open_center(live_server: object) -> object:
    open_weekdays(live_server.app.state.database, live_server.world)  # type: ignore[attr-defined]
    return live_server


def test_a_scheduler_books_a_regimen_with_the_keyboard_alone(
    page: Page, open_center: object, axe: Callable[[Page], None]
) -> None:
    world = open_center.world  # type: ignore[attr-defined]
    rx, patient = world.prescriptions["a1"], world.patients["a1"]
    _sign_in(page, "scheduler_a")
    page.goto(f"/staff/patients/{patient}")
    _press_first(page, "Book the regimen")
    page.wait_for_url(f"**/staff/prescriptions/{rx}/booking/run")
    page.locator("#proposal").wait_for()  # the plan is made in the background; the page shows it when ready
    rows = page.locator("#proposal tbody tr").count()
    assert rows >= 2
    axe(page)
    _fits(page)
    _shot(page, "booking-preview")
    _press(page, f"Confirm and book {rows} visits")
    page.wait_for_url(f"**/staff/patients/{patient}?saved=booked-{rows}#visits")
    assert page.locator("#visits ~ ul li", has_text="chair C0").count() == rows
    axe(page)
    _fits(page)
    _shot(page, "patient-visits")
    page.goto("/staff/load?start=2027-03-01")
    assert page.get_by_role("heading", name="Busiest days").is_visible()
    assert page.locator("table caption", has_text="March 2027").count() == 1
    axe(page)
    _fits(page)
    _shot(page, "months-at-a-glance")


def test_two_schedulers_confirming_the_same_day_at_once_book_it_once(
    browser: Browser, open_center: object, axe: Callable[[Page], None]
) -> None:
    server = open_center
    rx = server.world.prescriptions["a1"]  # type: ignore[attr-defined]
    pages = []
    for _ in range(2):
        context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
        pages.append(_sign_in(context.new_page(), "scheduler_a"))
    for page in pages:
        page.goto(f"/staff/prescriptions/{rx}/booking")  # the old link plans too
        page.locator("#proposal").wait_for()
    rows = pages[0].locator("#proposal tbody tr").count()
    _press(pages[0], f"Confirm and book {rows} visits")
    pages[0].wait_for_url("**saved=booked-*")
    _press(pages[1], f"Confirm and book {rows} visits")
    alert = pages[1].get_by_role("alert")
    alert.wait_for()
    assert "Not booked." in alert.inner_text() and "Plan again" in alert.inner_text()
    assert pages[1].get_by_role("button", name="Plan again").is_visible()
    axe(pages[1])
    _shot(pages[1], "booking-conflict")
    for page in pages:
        page.context.close()


def test_the_run_page_says_planning_in_a_status_region_and_shows_the_plan_when_it_is_ready(
    page: Page, open_center: object, axe: Callable[[Page], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from msinfusion.booking import book as real
    from msinfusion.db import booking_runs

    release = threading.Event()

    def held_book(*args: Any, **kwargs: Any) -> Any:
        release.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(booking_runs, "book", held_book)  # the server runs in this process: hold the engine
    world = open_center.world  # type: ignore[attr-defined]
    _sign_in(page, "scheduler_a")
    page.goto(f"/staff/patients/{world.patients['a1']}")
    _press_first(page, "Book the regimen")
    page.wait_for_url(f"**/staff/prescriptions/{world.prescriptions['a1']}/booking/run")
    status = page.get_by_role("status")
    assert "Planning the booking" in status.inner_text() or "Waiting to start planning" in status.inner_text()
    assert page.get_by_role("link", name="Check again").is_visible()  # without the script: check by hand
    axe(page)
    _shot(page, "booking-planning")
    release.set()
    page.locator("#proposal").wait_for(timeout=15000)  # the script saw the run end and showed the plan
    assert page.get_by_role("button", name=re.compile("Confirm and book")).is_visible()
