"""A nurse records a dose that breaks a rule (refused with the reasons, then confirmed by a clinician) and meets
the board's blocking flag, with the keyboard only; every page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page

from msinfusion.db.models import Prescription
from tests.web.browser.conftest import LiveServer
from tests.web.web_world import PASSWORD


def _sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.focus("#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff")


def _tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the field has focus (a date field takes a Tab per part in some browsers)."""
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def _alemtuzumab_from_ten_days_ago(live_server: LiveServer) -> tuple[int, str]:
    """Patient A2 on alemtuzumab since ten days ago (center time); returns the prescription and today."""
    today = datetime.now(ZoneInfo("America/New_York")).date()
    with live_server.app.state.database.session() as db:
        prescription = Prescription(
            patient_id=live_server.world.patients["a2"],
            therapy_id="alemtuzumab",
            start_date=today - timedelta(days=10),
            prescribed_by=live_server.world.users["scheduler_a"],
            created_at=datetime.now(UTC),
        )
        db.add(prescription)
        db.flush()
        return prescription.id, today.isoformat()


def test_a_nurse_records_a_refused_dose_with_a_clinicians_confirmation_by_keyboard(
    page: Page, live_server: LiveServer, axe: Callable[[Page], None]
) -> None:
    rx, today = _alemtuzumab_from_ten_days_ago(live_server)
    _sign_in(page, "nurse_a")
    page.goto(f"/staff/patients/{live_server.world.patients['a2']}")
    axe(page)
    page.focus(f"#given-on-{rx}")
    page.keyboard.type(today[5:7] + today[8:10] + today[0:4])  # a date field takes the digits, month first
    _tab_to(page, f"amount-{rx}")  # past the dose number: the next one is meant
    page.keyboard.type("99999")
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "dose 1 of alemtuzumab is 12 mg" in alert.inner_text()
    assert page.input_value(f"#amount-{rx}") == "99999"  # what the nurse typed is kept
    page.screenshot(path="/tmp/clinweb-dose-refused.png", full_page=True)
    axe(page)

    page.focus(f"#confirm-{rx}")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Pharmacy label typo; 12 mg given, checked with Dr Lee")
    page.focus(f"#record-dose-{rx} ~ form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#prescription-{rx}")
    recorded = page.locator(f"#given-{rx} + .table-wrap").inner_text()
    assert "99999 mg" in recorded and "Flagged" in recorded and "Nurse A" in recorded
    assert "Pharmacy label typo" in recorded
    page.screenshot(path="/tmp/clinweb-dose-confirmed.png", full_page=True)
    axe(page)


def test_the_board_shows_a_blocking_flag_in_words_and_refuses_the_infusion_without_confirmation(
    page: Page, live_server: LiveServer, axe: Callable[[Page], None]
) -> None:
    _sign_in(page, "nurse_a")
    page.goto("/staff/board?day=2027-03-08")
    flag = page.locator(f"#blocked-{live_server.world.appointments['a1']}")
    assert "Blocked" in flag.inner_text() and "Active infection check not recorded for dose 1" in flag.inner_text()
    axe(page)
    for step in ("checked in", "premedication", "infusing"):
        page.get_by_role("button", name=re.compile(rf"Mark {step}\s*: Patient A1")).focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "The infusion cannot start" in alert.inner_text()
    page.screenshot(path="/tmp/clinweb-board-blocked.png", full_page=True)
    axe(page)
    page.get_by_label(re.compile(r"A clinician confirms the infusion may start\s*: Patient A1")).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Infection check done by phone this morning")
    page.keyboard.press("Enter")
    page.wait_for_url("**#appointment-*")
    card = page.locator(f"#appointment-{live_server.world.appointments['a1']}").inner_text()
    assert "Infusing" in card
