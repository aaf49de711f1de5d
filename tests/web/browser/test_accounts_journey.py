"""An admin invites a nurse with the keyboard, the nurse sets a password from the link and signs in;
every page on the way passes axe-core and reflows at 320 px."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Page

from tests.web.browser.conftest import LiveServer
from tests.web.web_world import PASSWORD

NEW_PASSWORD = "lantern-orchard-violet-42"
SHOTS = os.environ.get("MSINFUSION_SCREENSHOTS")  # a folder to keep screenshots in, for a human look


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _fits(page: Page) -> bool:
    page.set_viewport_size({"width": 320, "height": 640})
    fits = bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))
    page.set_viewport_size({"width": 1280, "height": 800})
    return fits


def test_an_admin_invites_a_nurse_who_sets_a_password_and_signs_in(
    page: Page, browser: Browser, live_server: LiveServer, axe: Callable[[Page], None]
) -> None:
    page.goto("/login")
    _shot(page, "login")
    page.fill("#username", "admin_a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff")
    page.get_by_role("link", name="Accounts").first.click()
    page.wait_for_url("**/staff/users")
    axe(page)
    _shot(page, "accounts")
    assert _fits(page)

    page.get_by_label("Name", exact=True).fill("Nina Nurse")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Role").select_option("nurse")
    page.get_by_role("button", name="Invite").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Account opened for Nina Nurse')")
    axe(page)
    _shot(page, "invited")
    link = page.get_by_label("Set-password link").input_value()
    assert "/set-password/" in link

    context = browser.new_context(base_url=live_server.url)
    nurse = context.new_page()
    try:
        nurse.goto(link)
        axe(nurse)
        _shot(nurse, "set-password")
        assert _fits(nurse)
        nurse.get_by_label("New password").fill(NEW_PASSWORD)
        nurse.get_by_label("The same password again").fill(NEW_PASSWORD + "x")
        nurse.get_by_role("button", name="Set password").click()
        assert "not the same" in nurse.get_by_role("alert").inner_text()
        axe(nurse)
        _shot(nurse, "set-password-refused")
        nurse.get_by_label("New password").fill(NEW_PASSWORD)
        nurse.get_by_label("The same password again").fill(NEW_PASSWORD)
        nurse.get_by_role("button", name="Set password").click()
        nurse.wait_for_url("**/login?password=set")
        assert "Your password is set" in nurse.get_by_role("status").inner_text()
        axe(nurse)
        nurse.fill("#username", "nina")
        nurse.fill("#password", NEW_PASSWORD)
        nurse.click("button[type=submit]")
        nurse.wait_for_url("**/staff")
        nurse.goto(link)
        assert "expired or was already used" in nurse.get_by_role("alert").inner_text()
        axe(nurse)
    finally:
        context.close()

    page.goto("/staff/users")
    page.get_by_role("button", name="Disable nina").click()
    page.wait_for_url("**/staff/users#user-*")
    assert "Disabled" in page.locator("tr", has_text="nina").inner_text()
    axe(page)
    _shot(page, "accounts-after")


def test_a_nurse_sets_up_a_sign_in_code_from_the_staff_home(page: Page, axe: Callable[[Page], None]) -> None:
    page.goto("/login")
    page.fill("#username", "nurse_a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff")
    page.get_by_role("link", name="Sign-in code").click()
    page.wait_for_url("**/account/mfa")
    axe(page)
    page.get_by_role("button", name="Set up a sign-in code").click()
    page.wait_for_selector("#totp-key")
    axe(page)
    _shot(page, "mfa-account-enrol")
    totp = pyotp.TOTP(page.locator("#totp-key").inner_text().replace(" ", ""))
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_selector("h1:has-text('Your recovery codes')")
    axe(page)
    page.goto("/account/mfa")
    assert "10 unused recovery codes" in page.get_by_role("status").inner_text()
    axe(page)
