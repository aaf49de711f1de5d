"""Signing in with the keyboard alone, on pages axe-core finds no fault with, that reflow when narrow."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

from tests.web.web_world import PASSWORD


def test_login_page_has_no_accessibility_violations(page: Page, axe: Callable[[Page], None]) -> None:
    page.goto("/login")
    axe(page)


def test_sign_in_and_out_with_the_keyboard_alone(page: Page, axe: Callable[[Page], None]) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("scheduler_a")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff")
    assert page.locator("h1").inner_text() == "Staff home"
    axe(page)
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    assert page.locator("h1").inner_text() == "Sign in"


def test_wrong_password_is_announced(page: Page, axe: Callable[[Page], None]) -> None:
    page.goto("/login")
    page.fill("#username", "nurse_a")
    page.fill("#password", "not the right one at all")
    page.click("button[type=submit]")
    alert = page.get_by_role("alert")
    assert "Could not sign in" in alert.inner_text()
    axe(page)


def test_patient_home_is_accessible(page: Page, axe: Callable[[Page], None]) -> None:
    page.goto("/login?next=/patient")
    page.fill("#username", "patient_a1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/patient")
    assert page.locator("h1").inner_text() == "My plan"
    axe(page)


def test_pages_reflow_at_320_px_without_sideways_scrolling(page: Page) -> None:
    # 320 CSS px is what a 1280 px window shows at 400% zoom (WCAG 1.4.10).
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/login",):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_targets_are_at_least_44_px(page: Page) -> None:
    page.goto("/login")
    for selector in ("#username", "#password", "button[type=submit]"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["height"] >= 44, selector
