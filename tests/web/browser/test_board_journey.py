"""The day board in a real browser on a 40-visit day, in English and Spanish, as a nurse and a scheduler:
axe-core clean, no sideways scrolling at 320 px, and the nurse's journeys (an add-on, a no-show repair, a
"do not infuse" check-in, an undo) done with the keyboard alone; an add-on that does not fit today booked
on the next open day through its proposal page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from msinfusion.db.board_demo import BoardDay, seed_board_day
from msinfusion.db.models import Appointment, CheckAnswers
from msinfusion.settings import Settings
from msinfusion.web.routes.staff import board_replan
from tests.web.browser.conftest import LiveServer
from tests.web.web_world import FAST, PASSWORD, FakeClock

DAY = date(2027, 3, 8)  # a Monday
TEN = datetime(2027, 3, 8, 15, 0, tzinfo=UTC)  # 10:00 in New York
SEVEN = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)  # 07:00 in New York
BOARD = f"/staff/board?day={DAY}"
SHOTS = Path(os.environ.get("BOARD_SHOTS", "")) if os.environ.get("BOARD_SHOTS") else None


class BoardServer(LiveServer):
    """The app at 10:00 on a 40-visit day with an accepted schedule; one patient's check says do not infuse."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        with self.app.state.database.session() as db:
            self.day: BoardDay = seed_board_day(
                db, self.world.centers["a"], DAY, self.world.users["scheduler_a"], datetime(2027, 3, 1, tzinfo=UTC)
            )
            self.stop = self.day.appointment_ids[5]
            row = db.get_one(Appointment, self.stop)
            db.add(
                CheckAnswers(patient_id=row.patient_id, appointment_id=row.id, outcome="do-not-come", submitted_at=TEN)
            )
        self.app.state.clock = FakeClock(TEN)


@pytest.fixture
def board_server(tmp_path: Path, sqlite_template: Path) -> Iterator[BoardServer]:
    target = tmp_path / "board.sqlite3"
    shutil.copyfile(sqlite_template, target)
    server = BoardServer(Settings(database_url=f"sqlite:///{target}", **FAST))
    with server:
        yield server


def _page(browser: Browser, server: BoardServer, username: str, language: str, zoom: int = 1) -> Page:
    """Signed in on the board; at ``zoom`` 2 a 1280 x 900 window shows 640 x 450 CSS px at twice the pixels
    (the browser's 200% zoom)."""
    context = browser.new_context(
        base_url=server.url,
        viewport={"width": 1280 // zoom, "height": 900 // zoom},
        device_scale_factor=zoom,
    )
    context.add_cookies([{"name": "msi_lang", "value": language, "url": server.url}])
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff")
    page.goto(BOARD)
    return page


def _shot(page: Page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=name.endswith("-full"))


def _no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("username", ["nurse_a", "scheduler_a"])
def test_the_board_is_accessible_and_reflows_at_320_px(
    browser: Browser, board_server: BoardServer, axe: Callable[[Page], None], username: str, language: str
) -> None:
    page = _page(browser, board_server, username, language)
    assert page.locator("html").get_attribute("lang") == language
    heading = {"en": "Patients in time order", "es": "Pacientes por orden de hora"}[language]
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator(".chair-table tbody tr").count() >= 10
    assert page.locator(".board-card").count() == 42  # 40 visits and the world's two unscheduled ones
    nurse = username == "nurse_a"
    assert (page.locator("form[action='/staff/board/add-on']").count() == 1) is nurse
    assert (page.locator("form[action$='/state']").count() > 0) is nurse
    stop = page.locator(f"#appointment-{board_server.stop}")
    icon = stop.locator("svg.icon--stop")
    box = icon.bounding_box()
    assert box is not None and box["width"] >= 16 and box["height"] >= 16  # drawn, never an empty glyph box
    axe(page)
    _shot(page, f"board-{username}-{language}-1280-full")
    page.set_viewport_size({"width": 320, "height": 700})
    assert _no_sideways_scroll(page)
    _shot(page, f"board-{username}-{language}-320")
    page.locator(".chair-table").scroll_into_view_if_needed()
    _shot(page, f"board-chairs-{username}-{language}-320")
    page.context.close()


def _tab_to(page: Page, selector: str, limit: int = 400) -> None:
    """Press Tab until ``selector`` has the focus (keyboard only, like a nurse without a mouse)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"never reached {selector} with Tab")


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_nurse_places_an_add_on_with_the_keyboard(
    browser: Browser, board_server: BoardServer, axe: Callable[[Page], None], language: str
) -> None:
    page = _page(browser, board_server, "nurse_a", language)
    _tab_to(page, ".replan__form:first-of-type summary")
    page.keyboard.press("Enter")  # opens the add-on form
    page.keyboard.press("Tab")
    page.keyboard.type("Patient A2")  # typing picks the option in a focused select
    assert page.locator("#addon-patient option:checked").inner_text().startswith("Patient A2")
    page.keyboard.press("Tab")
    page.keyboard.type("IV methyl")
    assert page.locator("#addon-treatment").input_value() == "methylprednisolone-1000"
    page.keyboard.press("Tab")  # earliest start: empty is as soon as possible
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/board/add-on")
    title = {"en": "Proposed add-on", "es": "Visita adicional propuesta"}[language]
    assert page.get_by_role("heading", name=title).is_visible()
    axe(page)
    page.set_viewport_size({"width": 320, "height": 700})
    assert _no_sideways_scroll(page)
    _shot(page, f"addon-proposal-{language}-320")
    page.set_viewport_size({"width": 1280, "height": 900})
    _shot(page, f"addon-proposal-{language}-1280")
    _tab_to(page, "form[action='/staff/board/add-on/confirm'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/board?day=*")
    assert page.locator(".board-card").count() == 43
    page.context.close()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_nurse_repairs_a_no_show_with_the_keyboard_and_sees_what_changes(
    browser: Browser, board_server: BoardServer, axe: Callable[[Page], None], language: str
) -> None:
    page = _page(browser, board_server, "nurse_a", language)
    _tab_to(page, ".replan__form:nth-of-type(2) summary")
    page.keyboard.press("Enter")
    _tab_to(page, "#event-late-arrival")  # a radio group is one Tab stop; arrows move within it
    page.keyboard.press("ArrowDown")
    assert page.locator("#event-no-show").is_checked()
    last = page.locator("#event-visit option").last.inner_text()  # the latest visit of the day
    patient = last.split(" (")[0]
    _tab_to(page, "#event-visit")
    page.keyboard.type(patient)
    assert page.locator("#event-visit option:checked").inner_text() == last
    _tab_to(page, "form[action='/staff/board/repair'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/board/repair")
    assert page.locator(".change-table tbody tr").count() >= 1
    assert patient in page.locator(".change-table").inner_text()
    axe(page)
    _shot(page, f"repair-proposal-{language}-1280")
    page.set_viewport_size({"width": 320, "height": 700})
    assert _no_sideways_scroll(page)
    _shot(page, f"repair-proposal-{language}-320")
    _tab_to(page, "form[action='/staff/board/repair/confirm'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff/board?day=*")
    assert page.locator(".board-card", has_text=patient).count() == 0  # a no-show leaves the board
    page.context.close()


def test_checking_in_a_do_not_infuse_patient_needs_the_box_then_undo_takes_it_back(
    browser: Browser, board_server: BoardServer, axe: Callable[[Page], None]
) -> None:
    page = _page(browser, board_server, "nurse_a", "en")
    card = page.locator(f"#appointment-{board_server.stop}")
    assert "Check: do not infuse" in card.inner_text()
    card.locator("button[type=submit]").focus()
    page.keyboard.press("Enter")  # the required box is not ticked: the browser keeps the form
    assert page.url.endswith(BOARD)
    assert "Expected" in card.inner_text()
    card.locator("input[name=check_read]").focus()
    page.keyboard.press("Space")
    card.locator("button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#appointment-{board_server.stop}")
    card = page.locator(f"#appointment-{board_server.stop}")
    assert "Checked in" in card.inner_text() and "Checked in at 10:00" in card.inner_text()
    card.locator(".time-fix summary").focus()
    page.keyboard.press("Enter")  # opens "Correct a time"
    assert card.locator("input[name=at_time]").is_visible()
    _shot(page, "board-checked-in-1280")
    axe(page)
    undo = card.get_by_role("button", name="Undo “Checked in”")
    undo.focus()
    page.keyboard.press("Enter")
    # The board comes back at the same address: wait for the card itself to show the step undone.
    expect(page.locator(f"#appointment-{board_server.stop}")).to_contain_text("Check in despite the check")
    page.context.close()


ZOOM_SHOTS = Path("/tmp/boardalt")


def test_a_nurse_books_an_add_on_that_does_not_fit_today_on_the_next_open_day_at_200_percent_zoom(
    browser: Browser, board_server: BoardServer, axe: Callable[[Page], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page's search limit is about speed; this journey is about taking the "another day" way once
    # offered, so the search has the time to offer it on a loaded test machine too.
    monkeypatch.setattr(board_replan, "ADD_ON_SECONDS", 4.0)
    page = _page(browser, board_server, "nurse_a", "en", zoom=2)
    page.locator(".replan__form:first-of-type summary").click()
    patient = page.locator("#addon-patient option", has_text="Patient A2").get_attribute("value")
    assert patient is not None
    page.select_option("#addon-patient", patient)
    page.select_option("#addon-treatment", "ocrelizumab-600")
    page.fill("#addon-earliest", "10:00")
    page.get_by_role("button", name="Find a place").click()
    page.wait_for_url("**/staff/board/add-on")
    assert "does not fit today as promised" in page.locator("main").inner_text()
    review = page.get_by_role("button", name="Check the booking on Monday, March 15, 2027")
    axe(page)
    assert _no_sideways_scroll(page)
    ZOOM_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ZOOM_SHOTS / "add-on-other-ways-200.png"), full_page=True)
    review.click()
    page.wait_for_url("**/staff/board/add-on/another-day")
    assert page.get_by_role("heading", name="Proposed booking on another day").is_visible()
    facts = page.locator("dl.facts").inner_text()
    assert "Patient A2" in facts and "Monday, March 15, 2027" in facts and "C01 at 10:00" in facts
    axe(page)
    assert _no_sideways_scroll(page)
    page.screenshot(path=str(ZOOM_SHOTS / "another-day-proposal-200.png"), full_page=True)
    page.get_by_role("button", name="Book it and tell the patient").click()
    page.wait_for_url("**/staff/board?day=2027-03-15#appointment-*")
    card = page.locator(".board-card", has_text="Patient A2")
    assert card.count() == 1 and "C01 at 10:00" in card.inner_text()
    axe(page)
    page.context.close()


def test_a_nurse_confirms_an_add_on_with_moves_in_spanish_at_200_percent_zoom(
    browser: Browser, board_server: BoardServer, axe: Callable[[Page], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board_replan, "ADD_ON_SECONDS", 4.0)  # time to offer the way (see above)
    board_server.app.state.clock = FakeClock(SEVEN)  # nobody is seated yet
    page = _page(browser, board_server, "nurse_a", "es", zoom=2)
    page.locator(".replan__form:first-of-type summary").click()
    patient = page.locator("#addon-patient option", has_text="Patient A2").get_attribute("value")
    assert patient is not None
    page.select_option("#addon-patient", patient)
    page.select_option("#addon-treatment", "methylprednisolone-1000")
    page.fill("#addon-earliest", "08:00")
    page.locator("form[action='/staff/board/add-on'] button").click()
    page.wait_for_url("**/staff/board/add-on")
    axe(page)  # the change tables scroll sideways at this zoom: each is a named, focusable region
    page.get_by_role("button", name="Revisar los cambios a las 08:00").click()
    page.wait_for_url("**/staff/board/add-on/with-moves")
    assert page.get_by_role("heading", name="Visita adicional propuesta, moviendo a otros").is_visible()
    assert page.get_by_role("region", name="Cambios en el plan").locator("tbody tr").count() >= 1
    axe(page)
    assert _no_sideways_scroll(page)
    ZOOM_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ZOOM_SHOTS / "with-moves-proposal-200-es.png"), full_page=True)
    page.get_by_role("button", name="Confirmar y avisar a los pacientes").click()
    page.wait_for_url("**/staff/board?day=2027-03-08#appointment-*")
    assert page.locator(".board-card").count() == 43
    page.context.close()
