"""The patient journey in Chromium: keyboard only, axe-core clean on every page, reflow at 320 px."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.web.web_world import PASSWORD

PATIENT_PAGES = [
    "/patient",
    "/patient/prepare",
    "/patient/check",
    "/patient/card",
    "/patient/card/print",
    "/patient/plan/print",
    "/patient/calendar",
]


@pytest.fixture
def patient_page(page: Page) -> Page:
    page.goto("/login")  # no ?next=/patient: "**/patient" would match the sign-in URL itself
    page.fill("#username", "patient_a1")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/patient")
    return page


def _tab_to(page: Page, selector: str, limit: int = 200) -> None:
    """Press Tab until ``selector`` has the focus (keyboard only, no clicks)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_patient_pages_have_no_accessibility_violations(patient_page: Page, axe: Callable[[Page], None]) -> None:
    for path in PATIENT_PAGES:
        patient_page.goto(path)
        axe(patient_page)


def test_patient_pages_reflow_at_320_px(patient_page: Page) -> None:
    patient_page.set_viewport_size({"width": 320, "height": 640})
    for path in PATIENT_PAGES:
        patient_page.goto(path)
        assert patient_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_the_journey_works_with_the_keyboard_alone(patient_page: Page, axe: Callable[[Page], None]) -> None:
    page = patient_page
    # Tick the first task off.
    page.goto("/patient/prepare")
    _tab_to(page, "form[action='/patient/prepare'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/patient/prepare?stage=*#task-*")
    assert "1 of" in page.get_by_role("status").first.inner_text()
    # Answer the check: No to everything, with the arrow keys inside each radio group.
    page.goto("/patient/check")
    count = page.locator("fieldset.question").count()
    _tab_to(page, "fieldset.question input[type=radio]")
    for _ in range(count):
        page.keyboard.press("ArrowDown")  # first Yes gets focus on Tab; ArrowDown selects No
        page.keyboard.press("Tab")
    _tab_to(page, "form[data-keep-draft] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/patient/check?saved=check#result")
    assert page.locator("#result-title").inner_text()
    axe(page)
    # Switch to Spanish: the page language follows.
    _tab_to(page, "button[value=es]")
    page.keyboard.press("Enter")
    page.wait_for_function("document.documentElement.lang === 'es'")
    assert page.get_by_role("button", name="Enviar mis respuestas").is_visible()


def test_an_expired_session_keeps_the_typed_card_and_asks_to_sign_in(patient_page: Page) -> None:
    page = patient_page
    page.goto("/patient/card")
    page.fill("#name", "Ana Alvarez")
    page.fill("#allergies", "Penicillin: rash")
    # The session ends (idle time-out, here a sign-out in another tab).
    page.context.clear_cookies()
    page.get_by_role("button", name="Save my card").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "What you typed is kept" in alert.inner_text()
    page.get_by_role("link", name="Sign in again").click()
    page.fill("#username", "patient_a1")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/patient/card")
    assert page.input_value("#name") == "Ana Alvarez"
    assert page.input_value("#allergies") == "Penicillin: rash"


def test_the_new_calendar_link_can_be_copied_and_revoked(patient_page: Page) -> None:
    page = patient_page
    page.goto("/patient/calendar")
    page.get_by_role("button", name="Make my calendar link").click()
    url = page.input_value("#feed-url")
    assert "/feeds/" in url
    assert page.get_by_role("button", name="Copy the link").is_visible()
    assert page.request.get(url).status == 200
    page.get_by_role("button", name="Turn off my link").click()
    page.wait_for_url("**/patient/calendar?saved=revoked#feed")
    assert page.request.get(url).status == 404
