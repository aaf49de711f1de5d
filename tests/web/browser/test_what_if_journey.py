"""The what-if page and the label-against-recorded table in Chromium: keyboard only, axe-clean, reflowing
at 320 px, every figure in a table."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page

from msinfusion.db import day_schedule
from msinfusion.db.models import Appointment, Nurse, NurseShift
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.scheduling import solve
from tests.web.web_world import PASSWORD

DAY = date(2027, 3, 8)  # a Monday, when the world's centers open
WHAT_IF = f"/staff/schedule/what-if?day={DAY}"
SHOTS = os.environ.get("MSINFUSION_SCREENSHOTS")  # a folder to keep screenshots in, for looking at the pages


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def scheduler_page(page: Page, live_server: object) -> Page:
    """Center A with nurses, five recorded visits, an accepted run and a newer proposal; signed in as scheduler."""
    app = live_server.app  # type: ignore[attr-defined]
    world = live_server.world  # type: ignore[attr-defined]
    center = world.centers["a"]
    now = datetime.now(UTC)
    with app.state.database.session() as db:
        for code, starts, ends in (("N1", time(7), time(15)), ("N2", time(11), time(19))):
            nurse = Nurse(center_id=center, code=code, name=f"Nurse {code}")
            db.add(nurse)
            db.flush()
            db.add(NurseShift(nurse_id=nurse.id, weekday=0, starts=starts, ends=ends))
        for week, minutes in enumerate((140, 150, 160, 170, 180), start=1):
            day = DAY - timedelta(days=7 * week)
            past = Appointment(
                center_id=center,
                patient_id=world.patients["a1"],
                dose_index=1,
                treatment="ocrelizumab-300",
                day=day,
                status="completed",
                board_state="discharged",
            )
            db.add(past)
            db.flush()
            at = datetime.combine(day, time(14), tzinfo=UTC)
            for state, offset in (("checked_in", 0), ("infusing", 30), ("observation", minutes), ("discharged", 60)):
                at += timedelta(minutes=offset)
                db.add(BoardEvent(appointment_id=past.id, state=state, at=at, user_id=world.users["nurse_a"]))
        for accepted in (True, False):
            built = day_schedule.build_day(db, center, DAY)
            job, _ = day_schedule.queue_run(db, built, center, world.users["scheduler_a"], now, 0)
            job.status, job.result, job.finished_at = (
                "done",
                json.loads(solve(built.day, solver="greedy").to_json()),
                now,
            )
            db.flush()
            if accepted:
                day_schedule.accept(db, job, world.users["scheduler_a"], now)
    page.goto("/login")
    page.focus("#username")
    page.keyboard.type("scheduler_a")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/staff")
    return page


def test_a_scheduler_compares_two_schedules_with_the_keyboard_alone(
    scheduler_page: Page, axe: Callable[[Page], None]
) -> None:
    page = scheduler_page
    page.goto(f"/staff/schedule?day={DAY}")
    assert "Visit times planned from: the label timeline." in page.locator("#durations-basis").inner_text()
    page.get_by_role("link", name="What if").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/what-if?day=*")
    page.get_by_role("heading", name="Results of 1000 simulated runs").wait_for()
    axe(page)
    _shot(page, "what-if")
    headers = page.locator("#what-if-metrics-caption + thead th").all_inner_texts()
    assert headers[1].startswith("Schedule A: Accepted schedule") and headers[2].startswith("Schedule B: Proposal")
    assert "(5 recorded visits)" in page.locator("main").inner_text()

    page.focus("#what-if-runs")
    page.keyboard.press("Control+A")
    page.keyboard.type("200")
    page.focus("#what-if-no-show")
    page.keyboard.press("Control+A")
    page.keyboard.type("20")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Results of 200 simulated runs").wait_for()
    assert "no_show=20" in page.url
    axe(page)

    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    _shot(page, "what-if-320")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_catalog_shows_label_against_recorded_minutes_accessibly(
    scheduler_page: Page, axe: Callable[[Page], None]
) -> None:
    page = scheduler_page
    page.goto("/staff/catalog/ocrelizumab-iv")
    table = page.get_by_role("table", name="Minutes per dose step, label and recorded")
    assert "No history yet" in table.inner_text() and "160" in table.inner_text()
    axe(page)
    _shot(page, "therapy-durations")
    page.set_viewport_size({"width": 320, "height": 640})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
