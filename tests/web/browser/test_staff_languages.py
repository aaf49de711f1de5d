"""Staff pages in English and Spanish, in Chromium: axe-clean, reflowing at 320 px, and the language
switch on every staff page works with the keyboard alone and is kept on the account."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest
from playwright.sync_api import Page

from msinfusion.db.models import Nurse, NurseShift, User
from tests.web.browser.conftest import LiveServer
from tests.web.web_world import PASSWORD

DAY = "2027-03-08"  # a Monday, when the world's centers open
SHOTS = os.environ.get("MSINFUSION_SCREENSHOTS")  # a folder to keep screenshots in, for looking at the pages
# What each page must say in each language (its main heading).
HEADINGS = {
    "/staff": {"en": "Staff home", "es": "Inicio del personal"},
    "/staff/catalog": {"en": "Therapy catalog", "es": "Catálogo de terapias"},
    "/staff/patients": {"en": "Patients", "es": "Pacientes"},
    "/staff/patients/{a1}": {"en": "Patient A1", "es": "Patient A1"},
    f"/staff/schedule?day={DAY}": {"en": "Day schedule", "es": "Horario del día"},
    "/staff/users": {"en": "Accounts", "es": "Cuentas"},
    "/staff/messages": {"en": "Messages to patients", "es": "Mensajes a pacientes"},
    "/account/mfa": {"en": "Sign-in code", "es": "Código de inicio de sesión"},
}


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _sign_in_with_the_keyboard(page: Page, username: str) -> None:
    page.goto("/login")
    page.focus("#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff")


@pytest.fixture
def admin(page: Page, live_server: LiveServer) -> Page:
    """admin_a signed in, at a center with two nurses on Mondays (so the day schedule can be solved)."""
    app, world = live_server.app, live_server.world
    app.state.settings = app.state.settings.model_copy(update={"solver_time_limit_seconds": 1})
    with app.state.database.session() as db:
        for code, starts, ends in (("N1", time(7), time(15)), ("N2", time(11), time(19))):
            nurse = Nurse(center_id=world.centers["a"], code=code, name=f"Nurse {code}")
            db.add(nurse)
            db.flush()
            db.add(NurseShift(nurse_id=nurse.id, weekday=0, starts=starts, ends=ends))
    _sign_in_with_the_keyboard(page, "admin_a")
    return page


def _choose_language_with_the_keyboard(page: Page, label: str) -> None:
    """Tab from the top of the page to the language button and press it."""
    page.locator("body").focus()
    button = page.locator(f"form.language button:has-text('{label}')")
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail(f"the {label} button cannot be reached with Tab")
    with page.expect_navigation():  # the form posts, then comes back to the same page
        page.keyboard.press("Enter")


@pytest.mark.parametrize("language", ["en", "es"])
def test_staff_pages_in_each_language_are_accessible_and_reflow(
    admin: Page, live_server: LiveServer, axe: Callable[[Page], None], language: str
) -> None:
    page = admin
    if language == "es":
        page.goto("/staff/patients")
        _choose_language_with_the_keyboard(page, "Español")
    page.goto(f"/staff/schedule?day={DAY}")
    page.get_by_role("button", name="Ejecutar el optimizador" if language == "es" else "Run the optimizer").focus()
    page.keyboard.press("Enter")
    proposed = "Horario propuesto" if language == "es" else "Proposed schedule"
    page.get_by_role("heading", name=proposed).wait_for(timeout=15_000)
    for path, heading in HEADINGS.items():
        url = path.format(a1=live_server.world.patients["a1"])
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 800 if width > 320 else 640})
            page.goto(url)
            assert page.get_attribute("html", "lang") == language, url
            assert heading[language] in page.locator("h1").inner_text(), url
            axe(page)
            # Charts and tables scroll inside their own box; the page itself never scrolls sideways.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (url, width)
            slug = url.strip("/").replace("/", "-").split("?")[0]
            _shot(page, f"{slug}-{language}-{width}")


def test_the_chosen_language_is_kept_on_the_account_and_can_be_switched_back(
    admin: Page, live_server: LiveServer
) -> None:
    page = admin
    page.goto("/staff/users")
    _choose_language_with_the_keyboard(page, "Español")
    assert page.locator("h1").inner_text() == "Cuentas"
    with live_server.app.state.database.session() as db:
        assert db.get_one(User, live_server.world.users["admin_a"]).locale == "es"
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_url("**/login")
    _sign_in_with_the_keyboard(page, "admin_a")
    assert page.get_attribute("html", "lang") == "es"
    _choose_language_with_the_keyboard(page, "English")
    assert page.locator("h1").inner_text() == "Staff home"
