"""The day board: each patient's step, check flags in words, observation and finish times from the visit
timeline, and steps recorded one at a time (a stale button is a 409, not a skipped step)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db import board
from msinfusion.db.clinical_models import DoseCheck
from msinfusion.db.demo import load_demo
from msinfusion.db.models import Appointment, Chair, CheckAnswers
from msinfusion.db.schedule_models import BoardEvent
from tests.web.web_world import FakeClock, TestClient, World, csrf_token, sign_in

DAY = date(2027, 3, 8)
START = datetime(2027, 3, 8, 14, 0, tzinfo=UTC)  # 09:00 in New York


def _place(app: FastAPI, world: World) -> None:
    """Give a1 a chair at 09:00 (ocrelizumab-300: check-in 15, premedication 30, infusion 159, observation 60)."""
    with app.state.database.session() as db:
        appointment = db.get_one(Appointment, world.appointments["a1"])
        appointment.chair_id = db.scalar(select(Chair.id).where(Chair.id == world.chairs["a-C01"]))
        appointment.starts_at = START
        appointment.ends_at = datetime(2027, 3, 8, 18, 34, tzinfo=UTC)


def _record_infection_check(app: FastAPI, world: World, key: str = "a1") -> None:
    """Record OCREVUS's infection check before dose 1 (required before each dose, ocrelizumab-iv.yaml)."""
    with app.state.database.session() as db:
        db.add(
            DoseCheck(
                prescription_id=world.prescriptions[key],
                dose_number=1,
                check_id="infection",
                note="",
                recorded_by=world.users["nurse_a"],
                recorded_at=START,
            )
        )


def _client(app: FastAPI, username: str = "nurse_a") -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, username).status_code == 303
    return client


def _step(client: TestClient, appointment_id: int, from_state: str, to_state: str) -> Any:
    token = csrf_token(client, "/staff")
    return client.post(
        f"/staff/board/appointments/{appointment_id}/state",
        data={"csrf_token": token, "from_state": from_state, "to_state": to_state},
        follow_redirects=False,
    )


def test_the_board_shows_each_patient_with_planned_times(app: FastAPI, world: World) -> None:
    _place(app, world)
    page = _client(app).get(f"/staff/board?day={DAY}").text
    assert "Patient A1" in page and "Patient A2" in page
    assert "C01 at 09:00" in page
    assert "13:24" in page  # observation ends 09:00 + 15 + 30 + 159 + 60 minutes
    assert "13:34" in page  # and the visit after the 10-minute discharge
    assert "Not scheduled yet" in page  # a2 has no chair yet
    assert "Mark checked in" in page


def test_a_nurse_records_each_step_in_order_and_times_follow_the_recorded_steps(
    app: FastAPI, world: World, clock: FakeClock
) -> None:
    _place(app, world)
    _record_infection_check(app, world)
    clock.now = datetime(2027, 3, 8, 14, 30, tzinfo=UTC)  # checked in 30 minutes late (09:30)
    client = _client(app)
    a1 = world.appointments["a1"]
    for before, after in (("expected", "checked_in"), ("checked_in", "premedication")):
        response = _step(client, a1, before, after)
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/staff/board?day={DAY}#appointment-{a1}"
        clock.advance(minutes=15)  # check-in takes its planned 15 minutes
    page = client.get(f"/staff/board?day={DAY}").text
    assert "Premedication</strong>" in page and "13:54" in page  # observation end moved with the late check-in
    for before, after in (("premedication", "infusing"), ("infusing", "observation"), ("observation", "discharged")):
        assert _step(client, a1, before, after).status_code == 303
    page = client.get(f"/staff/board?day={DAY}").text
    assert "Discharged</strong>" in page and "Mark" not in page.split(f'id="appointment-{a1}"')[1].split("</li>")[0]
    with app.state.database.session() as db:
        states = db.scalars(select(BoardEvent.state).where(BoardEvent.appointment_id == a1).order_by(BoardEvent.id))
        assert states.all() == ["checked_in", "premedication", "infusing", "observation", "discharged"]


def test_a_stale_or_skipping_button_changes_nothing(app: FastAPI, world: World) -> None:
    client = _client(app)
    a1 = world.appointments["a1"]
    assert _step(client, a1, "expected", "checked_in").status_code == 303
    stale = _step(client, a1, "expected", "checked_in")  # a second nurse's old page
    assert stale.status_code == 409 and "already changed" in stale.text
    assert _step(client, a1, "checked_in", "observation").status_code == 409  # no skipping premedication
    assert _step(client, a1, "checked_in", "nonsense").status_code == 422
    with app.state.database.session() as db:
        assert db.get_one(Appointment, a1).board_state == "checked_in"


def test_check_flags_are_words_not_colour_or_a_glyph_the_browser_cannot_draw(
    app: FastAPI, world: World, clock: FakeClock
) -> None:
    with app.state.database.session() as db:
        db.add(
            CheckAnswers(
                patient_id=world.patients["a1"],
                appointment_id=world.appointments["a1"],
                outcome="do-not-come",
                submitted_at=clock(),
            )
        )
        db.add(
            CheckAnswers(
                patient_id=world.patients["a2"],
                outcome="call-center",
                submitted_at=datetime(2027, 3, 7, 12, tzinfo=UTC),
            )
        )
    page = _client(app).get(f"/staff/board?day={DAY}").text
    # The words carry the meaning; the emoji icons drew as empty boxes in Chromium without an emoji font.
    assert "Check: do not infuse" in page and "⛔" not in page
    assert "Check: call the center" in page and "☎" not in page


def test_only_nurses_of_the_center_record_steps(app: FastAPI, world: World) -> None:
    a1 = world.appointments["a1"]
    for role in ("scheduler_a", "admin_a"):
        assert _step(_client(app, role), a1, "expected", "checked_in").status_code == 403
        assert "Mark checked in" not in _client(app, role).get(f"/staff/board?day={DAY}").text
    assert _step(_client(app, "nurse_a"), a1, "expected", "checked_in").status_code == 303
    assert _step(_client(app, "nurse_b"), a1, "checked_in", "premedication").status_code == 404
    assert _client(app, "nurse_b").get(f"/staff/board?day={DAY}").text.count("Patient A") == 0


def test_the_demo_has_today_scheduled_with_check_flags_and_booked_days_ahead(app: FastAPI) -> None:
    today = date(2027, 3, 1)  # a Monday
    load_demo(app.state.database, app.state.settings, today=today)
    with app.state.database.session() as db:
        center_id = db.scalars(select(Appointment.center_id)).first()
        assert center_id is not None
        rows = board.board_rows(db, center_id, today)
        tomorrow = db.scalars(select(Appointment).where(Appointment.day == date(2027, 3, 2))).all()
    # The booking engine placed every visit (chair and start); the greedy day schedule was accepted for today.
    assert len(rows) >= 4 and sum(row.chair is not None for row in rows) >= len(rows) - 1  # greedy may leave one out
    assert {row.check[1] for row in rows if row.check} >= {"Check: call the center", "Check: do not infuse"}
    assert len(tomorrow) >= 4 and all(a.chair_id is not None for a in tomorrow)
