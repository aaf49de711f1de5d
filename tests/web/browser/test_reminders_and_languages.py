"""Reminders, the e-mail link pages, the calendar question, "Get ready" and the pages before sign-in, in
Chromium: axe-core clean and reflowing at 320 px in English and Spanish, and usable with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from msinfusion.db.comms_models import OutboxMessage
from msinfusion.db.models import Patient
from tests.web.browser.conftest import LiveServer
from tests.web.web_world import PASSWORD

PATIENT_PAGES = ["/patient/reminders", "/patient/prepare", "/patient/calendar/link/new", "/patient", "/no-such-page"]
PUBLIC_PAGES = ["/login", "/no-such-page", "/verify-email/not-a-token", "/unsubscribe/not-a-token"]


def _signed_in(page: Page, username: str = "patient_a1") -> Page:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/(patient|staff)$"))
    return page


def _tab_to(page: Page, selector: str, limit: int = 200) -> None:
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _reflows(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _set_language(live_server: LiveServer, locale: str) -> None:
    with live_server.app.state.database.session() as db:
        db.get_one(Patient, live_server.world.patients["a1"]).locale = locale


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_new_and_changed_patient_pages_are_clean_and_reflow(
    page: Page, live_server: LiveServer, axe: Callable[[Page], None], locale: str
) -> None:
    _set_language(live_server, locale)
    _signed_in(page)
    for path in PATIENT_PAGES:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(path)
        assert page.get_attribute("html", "lang") == locale, path
        axe(page)
        page.set_viewport_size({"width": 320, "height": 640})
        assert _reflows(page), path


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_pages_before_sign_in_follow_the_browser_and_are_clean(
    browser: Browser, live_server: LiveServer, axe: Callable[[Page], None], locale: str
) -> None:
    context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        for path in PUBLIC_PAGES:
            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto(path)
            assert page.get_attribute("html", "lang") == locale, path
            axe(page)
            page.set_viewport_size({"width": 320, "height": 640})
            assert _reflows(page), path
    finally:
        context.close()


def test_a_patient_adds_and_confirms_an_address_with_the_keyboard_alone(
    page: Page, live_server: LiveServer, axe: Callable[[Page], None]
) -> None:
    _signed_in(page)
    page.goto("/patient/reminders")
    _tab_to(page, "#email")
    page.keyboard.type("ana@example.org")
    _tab_to(page, "form[action='/patient/reminders'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/patient/reminders?saved=sent#status")
    page.get_by_text("Open the link in it").wait_for()
    axe(page)
    with live_server.app.state.database.session() as db:
        body = db.scalars(select(OutboxMessage.body_text).where(OutboxMessage.kind == "verify-email")).one()
    link = re.search(r"http://127\.0\.0\.1:8000(/verify-email/\S+)", body)
    assert link
    page.goto(link.group(1))
    axe(page)
    _tab_to(page, "main form button")
    page.keyboard.press("Enter")
    page.get_by_text("Your address is confirmed").wait_for()
    axe(page)
    page.goto("/patient")
    assert "so we also send you these reminders by e-mail" in page.content()


def test_a_failed_sign_in_keeps_the_username_and_the_switch_changes_the_language(page: Page) -> None:
    page.goto("/login")
    page.fill("#username", "patient_a1")
    page.fill("#password", "wrong password")
    page.keyboard.press("Enter")
    page.wait_for_selector("#login-error")
    assert page.input_value("#username") == "patient_a1"
    assert page.evaluate("document.activeElement.id") == "password"
    _tab_to(page, "button[name=locale][value=es]")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Iniciar sesión").wait_for()
    assert page.get_attribute("html", "lang") == "es"


def test_the_staff_messages_page_is_clean_and_reflows(page: Page, axe: Callable[[Page], None]) -> None:
    _signed_in(page, "scheduler_a")
    page.goto("/staff/messages")
    axe(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert _reflows(page)
