"""The scheduler's day, end to end in Chromium: run the optimizer, watch it finish, move a visit, accept,
then a nurse records a patient's steps on the day board. Keyboard only, axe-clean, reflowing at 320 px."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from msinfusion import scheduling
from msinfusion.db.models import Nurse, NurseShift
from tests.web.web_world import PASSWORD

DAY = "2027-03-08"  # a Monday, when the world's centers open
SCHEDULE = f"/staff/schedule?day={DAY}"
BOARD = f"/staff/board?day={DAY}"
SHOTS = os.environ.get("MSINFUSION_SCREENSHOTS")  # a folder to keep screenshots in, for looking at the pages


@pytest.fixture
def scheduler_page(page: Page, live_server: object) -> Page:
    app = live_server.app  # type: ignore[attr-defined]
    world = live_server.world  # type: ignore[attr-defined]
    app.state.settings = app.state.settings.model_copy(update={"solver_time_limit_seconds": 1})
    with app.state.database.session() as db:
        for code, starts, ends in (("N1", time(7), time(15)), ("N2", time(11), time(19))):
            nurse = Nurse(center_id=world.centers["a"], code=code, name=f"Nurse {code}")
            db.add(nurse)
            db.flush()
            db.add(NurseShift(nurse_id=nurse.id, weekday=0, starts=starts, ends=ends))
    page.goto("/login")
    page.focus("#username")
    page.keyboard.type("scheduler_a")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff")
    return page


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _press(page: Page, name: str) -> None:
    """Reach a button with the keyboard (focus) and press it with Enter."""
    page.get_by_role("button", name=name).focus()
    page.keyboard.press("Enter")


def test_the_scheduler_journey_with_the_keyboard_alone(scheduler_page: Page, axe: Callable[[Page], None]) -> None:
    page = scheduler_page
    page.goto(SCHEDULE)
    axe(page)
    _shot(page, "schedule-empty")
    _press(page, "Run the optimizer")
    page.wait_for_url("**notice=queued**")
    # The progress script reloads the page when the run ends; no reload by hand.
    page.get_by_role("heading", name="Proposed schedule").wait_for(timeout=15_000)
    assert page.locator("svg[role=img]").count() == 3
    axe(page)
    _shot(page, "schedule-result")

    page.focus("#move-appointment")
    page.keyboard.press("ArrowDown")  # the second visit
    page.focus("#move-chair")
    page.keyboard.press("Home")  # C01
    page.focus("#move-start")
    page.keyboard.type("18:30")  # too late: its phases run past closing
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "after 19:00" in alert.inner_text()
    axe(page)
    page.focus("#move-start")
    page.keyboard.press("Control+A")
    page.keyboard.type("14:00")
    page.keyboard.press("Enter")
    page.wait_for_url("**notice=moved**")
    moved = "Patient A2 (PA2) · Ocrelizumab IV 300 mg · visit A2 (now C01 at 14:00)"
    assert moved in page.locator("#move-appointment").inner_text()

    _press(page, "Accept this schedule")
    page.wait_for_url("**notice=accepted**")
    assert "Accepted" in page.locator("#result").inner_text()

    page.goto(BOARD)
    axe(page)
    _shot(page, "board")
    card = page.locator("li.board-card", has_text="Patient A2")
    assert "C01 at 14:00" in card.inner_text()
    assert card.get_by_role("button", name="Mark checked in").count() == 0  # nurses record the steps
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    page.fill("#username", "nurse_a")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff")
    page.goto(BOARD)
    card = page.locator("li.board-card", has_text="Patient A2")
    card.get_by_role("button", name="Mark checked in").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**#appointment-*")
    card = page.locator("li.board-card", has_text="Patient A2")
    assert "Checked in" in card.inner_text() and card.get_by_role("button", name="Mark premedication").count() == 1
    axe(page)


def test_the_schedule_and_board_reflow_at_320_px(scheduler_page: Page) -> None:
    page = scheduler_page
    page.goto(SCHEDULE)
    _press(page, "Run the optimizer")
    page.get_by_role("heading", name="Proposed schedule").wait_for(timeout=15_000)
    page.set_viewport_size({"width": 320, "height": 640})  # 1280 px at 400%; 640 px at 200% is wider still
    for path, name in ((SCHEDULE, "schedule-320"), (BOARD, "board-320")):
        page.goto(path)
        _shot(page, name)
        # Charts and tables scroll inside their own box; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_the_progress_page_is_accessible_and_reloads_itself_when_the_run_ends(
    scheduler_page: Page, axe: Callable[[Page], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real = scheduling.solve

    def held_solve(day: Any, **options: Any) -> Any:
        assert release.wait(20)
        return real(day, **options)

    monkeypatch.setattr("msinfusion.db.day_schedule.runs.solve", held_solve)
    page = scheduler_page
    page.goto(SCHEDULE)
    _press(page, "Run the optimizer")
    page.wait_for_url("**notice=queued**")
    assert page.locator("progress#run-progress").count() == 1
    words = page.locator("#run-busy[role=status]").inner_text()
    assert words.startswith(("Waiting to start", "Running")), words
    axe(page)
    _shot(page, "schedule-running")
    release.set()
    page.get_by_role("heading", name="Proposed schedule").wait_for(timeout=15_000)  # reloaded by the script
    assert page.locator("progress").count() == 0
