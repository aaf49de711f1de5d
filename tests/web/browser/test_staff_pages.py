"""Staff pages pass axe-core and reflow at 320 px."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.web.web_world import PASSWORD

STAFF_PAGES = ["/staff", "/staff/catalog", "/staff/catalog/ocrelizumab-iv", "/staff/patients", "/staff/patients/1"]


def _sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff")  # the login page has an h1 too; wait for the landing page itself


@pytest.fixture
def admin_page(page: Page) -> Page:
    _sign_in(page, "admin_a")
    return page


def test_staff_pages_have_no_accessibility_violations(admin_page: Page, axe: Callable[[Page], None]) -> None:
    for path in STAFF_PAGES:
        admin_page.goto(path)
        axe(admin_page)


def test_staff_pages_reflow_at_320_px(admin_page: Page) -> None:
    admin_page.set_viewport_size({"width": 320, "height": 640})
    for path in STAFF_PAGES:
        admin_page.goto(path)
        # Wide tables scroll inside their own box; the page itself never scrolls sideways.
        assert admin_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_an_override_can_be_recorded_with_the_keyboard(admin_page: Page) -> None:
    admin_page.goto("/staff/catalog/ocrelizumab-iv")
    admin_page.focus("#field")
    admin_page.select_option("#field", "infusions.initial.volume_ml")
    admin_page.keyboard.press("Tab")
    admin_page.keyboard.type("300")
    admin_page.keyboard.press("Tab")
    admin_page.keyboard.type("Local bag size")
    admin_page.keyboard.press("Tab")  # the clinician's reason: only an observation cut needs one
    admin_page.keyboard.press("Tab")
    admin_page.keyboard.press("Enter")
    admin_page.wait_for_url("**/staff/catalog/ocrelizumab-iv#history")
    assert "Local bag size" in admin_page.locator("#history + .table-wrap").inner_text()


def test_a_refused_dose_is_announced(admin_page: Page) -> None:
    admin_page.goto("/staff/patients")
    admin_page.get_by_role("link", name="Patient A1").focus()
    admin_page.keyboard.press("Enter")
    admin_page.wait_for_selector("h1:has-text('Patient A1')")
    # A1's regimen starts after this date, so the core refuses it and the page must say why.
    admin_page.get_by_label("Date given").fill("2026-03-03")
    admin_page.get_by_label("Amount in mg (optional)").focus()
    admin_page.keyboard.type("300")
    admin_page.keyboard.press("Enter")
    alert = admin_page.get_by_role("alert")
    alert.wait_for()
    assert "before the prescription start" in alert.inner_text()
