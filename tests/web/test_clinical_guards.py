"""The guards around a dose on the web: override ranges, prior mitoxantrone exposure, checks before each dose
on the day board, infusion reactions, an unlisted center and the caveat on unconfirmed visit lengths.

Today in these tests is 1 March 2027 in New York; the world's OCREVUS visits are on 8 March.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import select

from msinfusion.board import BoardRow
from msinfusion.db import board
from msinfusion.db.center_catalog import center_catalog
from msinfusion.db.day_schedule.day import build_day, day_appointment_id
from msinfusion.db.models import Appointment, AuditEvent, CatalogOverride, Center, Prescription
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in

DAY = date(2027, 3, 8)


@pytest.fixture
def both(settings: Settings) -> Iterator[tuple[TestClient, World]]:
    """A signed-out client and the world, on SQLite and on PostgreSQL."""
    app = create_app(settings, clock=FakeClock())
    world = build_world(app.state.database, settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, world


def _send(client: TestClient, method: str, url: str, body: Mapping[str, object]) -> Response:
    response: Response = client.request(method, url, json=body, headers={"X-CSRF-Token": csrf_token(client, "/staff")})
    return response


def _as(client: TestClient, username: str) -> TestClient:
    client.cookies.clear()
    assert sign_in(client, username).status_code == 303
    return client


# --- overrides ----------------------------------------------------------------------------------------------


def test_an_override_out_of_its_range_is_refused_with_the_field_named_and_a_reduction_needs_a_clinician(
    both: tuple[TestClient, World],
) -> None:
    client, world = both
    _as(client, "admin_a")
    url = "/api/therapies/ocrelizumab-iv/overrides"
    path = "observation[0].minutes"  # the label's 60 minutes after each OCREVUS infusion
    for value in (-5, 100000):
        refused = _send(client, "POST", url, {"field": path, "value": value, "reason": "typo test"})
        assert refused.status_code == 422 and refused.json()["field"] == path, value
    shorter = {"field": path, "value": 30, "reason": "center practice"}
    assert _send(client, "POST", url, shorter).status_code == 422  # below the label without a clinician
    saved = _send(client, "POST", url, shorter | {"clinician_reason": "Dr Lee: 30 minutes after uneventful infusions"})
    assert saved.status_code == 201 and saved.json()["clinician_reason"].startswith("Dr Lee")

    # The saved reduction loads: the patient's plan and the day board use 30 minutes, and nothing breaks.
    _as(client, "patient_a1")
    plan = client.get("/api/patient/plan")
    assert plan.status_code == 200, plan.text
    _as(client, "nurse_a")
    assert client.get(f"/staff/board?day={DAY}").status_code == 200
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        [row] = [
            r for r in board.board_rows(db, world.centers["a"], DAY) if r.appointment_id == world.appointments["a1"]
        ]
        assert row.next_state == "checked_in"
        phases = board.visit_phases(center_catalog(db, world.centers["a"]), "ocrelizumab-300")
        assert [p.minutes for p in phases if p.name == "observation"] == [30]


def test_an_override_stored_before_ranges_were_checked_takes_down_no_plan_or_board(app: FastAPI, world: World) -> None:
    with app.state.database.session() as db:
        for value in (-5, 100000):
            db.add(
                CatalogOverride(
                    center_id=world.centers["a"],
                    therapy_id="ocrelizumab-iv",
                    field="observation[0].minutes",
                    old_value=60,
                    new_value=value,
                    reason="saved by an older version",
                    user_id=world.users["admin_a"],
                    created_at=datetime(2027, 2, 1, tzinfo=UTC),
                )
            )
    with TestClient(app, raise_server_exceptions=False) as client:
        _as(client, "patient_a1")
        page = client.get("/patient")
        assert page.status_code == 200 and "cannot be shown" not in page.text
        assert "1671" not in page.text
        _as(client, "nurse_a")
        assert client.get(f"/staff/board?day={DAY}").status_code == 200
        assert client.get(f"/staff/schedule?day={DAY}").status_code == 200


def test_the_admin_form_names_the_field_and_keeps_the_clinician_reason(client: TestClient, world: World) -> None:
    _as(client, "admin_a")
    form = {
        "field": "observation[0].minutes",
        "value": "-5",
        "reason": "test",
        "csrf_token": csrf_token(client, "/staff"),
    }
    refused = client.post("/staff/catalog/ocrelizumab-iv/overrides", data=form, follow_redirects=False)
    assert refused.status_code == 422 and "observation[0].minutes" in refused.text
    form |= {"value": "30", "clinician_reason": "Dr Lee agreed"}
    assert client.post("/staff/catalog/ocrelizumab-iv/overrides", data=form, follow_redirects=False).status_code == 303
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        stored = db.scalars(select(CatalogOverride).order_by(CatalogOverride.id.desc())).first()
        assert stored is not None and stored.clinician_reason == "Dr Lee agreed"


# --- prior mitoxantrone exposure ------------------------------------------------------------------------------


def test_prior_mitoxantrone_is_validated_and_counted_by_the_calendar(both: tuple[TestClient, World]) -> None:
    client, world = both
    _as(client, "scheduler_a")
    patient = world.patients["a2"]
    url = f"/api/patients/{patient}/prior-exposure"
    for absurd in (-50, 5000):
        response = _send(client, "PUT", url, {"prior_mitoxantrone_mg_m2": absurd})
        assert response.status_code == 422, absurd
    assert _send(client, "PUT", url, {"prior_mitoxantrone_mg_m2": 120}).status_code == 200
    body = {"therapy_id": "mitoxantrone", "start_date": "2027-03-15", "bsa": 1.8}
    rx = _send(client, "POST", f"/api/patients/{patient}/prescriptions", body)
    assert rx.status_code == 201, rx.text
    # US cap 140 mg/m2 (mitoxantrone.yaml): with 120 on record, one 12 mg/m2 dose fits and the next does not.
    assert [d["number"] for d in rx.json()["calendar"]] == [1]
    assert any("lifetime cap" in w for w in rx.json()["warnings"])
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        events = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "prior_exposure")).all()
        assert [e.details["mg_m2"] for e in events] == [120]


def test_an_eu_center_refuses_mitoxantrone_after_prior_treatment_unless_a_clinician_gives_a_reason(
    client: TestClient, world: World
) -> None:
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        db.get_one(Center, world.centers["a"]).jurisdiction = "EU"
    _as(client, "scheduler_a")
    patient = world.patients["a2"]
    assert (
        _send(client, "PUT", f"/api/patients/{patient}/prior-exposure", {"prior_mitoxantrone_mg_m2": 24}).status_code
        == 200
    )
    body = {"therapy_id": "mitoxantrone", "start_date": "2027-03-15", "bsa": 1.8}
    refused = _send(client, "POST", f"/api/patients/{patient}/prescriptions", body)
    assert refused.status_code == 422 and "EU label" in refused.json()["detail"]
    reason = {"prior_mitoxantrone_mg_m2": 24, "clinician_reason": "Rapidly worsening MS; discussed with the patient"}
    assert _send(client, "PUT", f"/api/patients/{patient}/prior-exposure", reason).status_code == 200
    assert _send(client, "POST", f"/api/patients/{patient}/prescriptions", body).status_code == 201
    page = html.unescape(client.get(f"/staff/patients/{patient}").text)  # translated text escapes the apostrophe
    assert "Label rules for this patient's center: <strong>EU</strong>" in page and "Rapidly worsening MS" in page


# --- checks before each dose and the day board ---------------------------------------------------------------


def _place(client: TestClient, world: World) -> None:
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        appointment = db.get_one(Appointment, world.appointments["a1"])
        appointment.chair_id = world.chairs["a-C01"]
        appointment.starts_at = datetime(2027, 3, 8, 14, 0, tzinfo=UTC)
        appointment.ends_at = datetime(2027, 3, 8, 18, 34, tzinfo=UTC)


def _step(client: TestClient, world: World, before: str, after: str, **extra: str) -> Response:
    data = {"csrf_token": csrf_token(client, "/staff"), "from_state": before, "to_state": after, **extra}
    response: Response = client.post(
        f"/staff/board/appointments/{world.appointments['a1']}/state", data=data, follow_redirects=False
    )
    return response


def test_the_board_blocks_an_infusion_whose_required_check_is_not_recorded(both: tuple[TestClient, World]) -> None:
    client, world = both
    _place(client, world)
    _as(client, "nurse_a")
    page = client.get(f"/staff/board?day={DAY}").text
    card = page.split(f'id="appointment-{world.appointments["a1"]}"')[1].split('<li class="board-card')[0]
    assert "Blocked" in card and "Active infection check not recorded for dose 1" in card
    assert _step(client, world, "expected", "checked_in").status_code == 303
    assert _step(client, world, "checked_in", "premedication").status_code == 303
    refused = _step(client, world, "premedication", "infusing")
    assert refused.status_code == 422 and "The infusion cannot start" in refused.text
    confirmed = _step(
        client, world, "premedication", "infusing", clinician_confirms="yes", clinician_reason="Checked by phone"
    )
    assert confirmed.status_code == 303
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        event = db.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "appointment", AuditEvent.action == "update")
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and event.details == {"board_state": "infusing", "clinician_confirmed": True}


def test_recording_the_check_is_an_audited_staff_action_that_clears_the_flag(client: TestClient, world: World) -> None:
    _place(client, world)
    _as(client, "nurse_a")
    rx = world.prescriptions["a1"]
    unknown = _send(client, "POST", f"/api/prescriptions/{rx}/checks", {"dose_number": 1, "check_id": "lvef"})
    assert unknown.status_code == 422 and "infection" in unknown.json()["detail"]  # OCREVUS asks no LVEF
    form = {"dose_number": "1", "check_id": "infection", "csrf_token": csrf_token(client, "/staff")}
    assert client.post(f"/staff/prescriptions/{rx}/checks", data=form, follow_redirects=False).status_code == 303
    card = client.get(f"/staff/board?day={DAY}").text.split(f'id="appointment-{world.appointments["a1"]}"')[1]
    assert "Blocked" not in card.split('<li class="board-card')[0]
    for before, after in (("expected", "checked_in"), ("checked_in", "premedication"), ("premedication", "infusing")):
        assert _step(client, world, before, after).status_code == 303
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        [event] = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "dose_check")).all()
        assert event.details == {"check": "infection", "dose": 1} and event.actor_user_id == world.users["nurse_a"]


# --- infusion reactions ---------------------------------------------------------------------------------------


def _natalizumab_visit(client: TestClient, world: World) -> int:
    """Patient A2 on natalizumab since 2026-02-02, a dose-13 visit on the board day."""
    _as(client, "scheduler_a")
    body = {"therapy_id": "natalizumab", "start_date": "2026-02-02"}
    rx = int(_send(client, "POST", f"/api/patients/{world.patients['a2']}/prescriptions", body).json()["id"])
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        appointment = db.get_one(Appointment, world.appointments["a2"])
        appointment.prescription_id = rx
        appointment.treatment = "natalizumab-300"
        appointment.dose_index = 13
        appointment.chair_id = world.chairs["a-C02"]
        appointment.starts_at = datetime(2027, 3, 8, 15, 0, tzinfo=UTC)
        appointment.ends_at = datetime(2027, 3, 8, 17, 0, tzinfo=UTC)
    return rx


def _a2_row(client: TestClient, world: World) -> BoardRow:
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        rows = board.board_rows(db, world.centers["a"], DAY)
    [row] = [r for r in rows if r.appointment_id == world.appointments["a2"]]
    return row


def test_after_a_reaction_observation_is_back_and_after_a_serious_one_a_clinician_decides(
    both: tuple[TestClient, World],
) -> None:
    client, world = both
    rx = _natalizumab_visit(client, world)
    before = _a2_row(client, world)
    assert before.observation_end is None  # TYSABRI from infusion 13: no set observation (natalizumab.yaml)

    _as(client, "nurse_a")
    mild = {"dose_number": 12, "occurred_on": "2027-02-01", "serious": False}
    assert _send(client, "POST", f"/api/prescriptions/{rx}/reactions", mild).status_code == 201
    after = _a2_row(client, world)
    assert after.observation_end is not None and after.expected_finish is not None
    assert before.expected_finish is not None and after.expected_finish > before.expected_finish
    assert after.clinician_gate is None
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        built = build_day(db, world.centers["a"], DAY).day
    [a2] = [a for a in built.appointments if a.id == day_appointment_id(world.appointments["a2"])]
    assert [p.minutes for p in a2.phases or [] if p.name == "observation"] == [60]  # the chair is held for it

    serious = {"dose_number": 12, "occurred_on": "2027-02-01", "serious": True, "note": "anaphylaxis"}
    assert _send(client, "POST", f"/api/prescriptions/{rx}/reactions", serious).status_code == 201
    row = _a2_row(client, world)
    assert row.blocked and row.clinician_gate is not None and "serious infusion reaction" in row.clinician_gate
    detail = client.get(f"/api/patients/{world.patients['a2']}").json()
    [natalizumab] = [p for p in detail["prescriptions"] if p["id"] == rx]
    assert natalizumab["clinician_gate"] and len(natalizumab["reactions"]) == 2
    future = {"dose_number": 13, "occurred_on": "2027-03-02", "serious": False}
    assert _send(client, "POST", f"/api/prescriptions/{rx}/reactions", future).status_code == 422


def test_the_two_hour_ocrevus_infusion_is_refused_after_a_serious_reaction(client: TestClient, world: World) -> None:
    _as(client, "nurse_a")
    rx = world.prescriptions["a1"]
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        db.get_one(Appointment, world.appointments["a1"]).treatment = "ocrelizumab-600-short"
        db.get_one(Prescription, rx).start_date = date(2026, 9, 1)
    body = {"dose_number": 1, "occurred_on": "2026-09-01", "serious": True}
    assert _send(client, "POST", f"/api/prescriptions/{rx}/reactions", body).status_code == 201
    card = client.get(f"/staff/board?day={DAY}").text.split(f'id="appointment-{world.appointments["a1"]}"')[1]
    assert "only for patients without a prior serious infusion reaction" in card.split('<li class="board-card')[0]


# --- what patients see ----------------------------------------------------------------------------------------


def test_a_center_with_no_stored_profile_never_shows_the_demo_centers_phone_or_address(
    client: TestClient, world: World
) -> None:
    _as(client, "patient_a1")
    page = client.get("/patient").text
    assert "555-01" not in page and "Riverside" not in page
    assert "ask your care team for the address" in page and "the number your care team gave you" in page
    assert "Center A" in page  # the center's own name is real data and stays
    card = client.get("/patient/card").text
    assert "555-01" not in card
    link = client.post("/patient/calendar/link", data={"csrf_token": csrf_token(client, "/patient/calendar")}).text
    feed_path = link.split("/feeds/")[1].split(".ics")[0]
    feed = client.get(f"/feeds/{feed_path}.ics").text
    assert "BEGIN:VCALENDAR" in feed and "555" not in feed and "Riverside" not in feed


def test_patients_see_the_caveat_when_a_visit_length_rests_on_an_unconfirmed_value(
    client: TestClient, world: World
) -> None:
    _as(client, "scheduler_a")
    body = {"therapy_id": "rituximab", "start_date": "2027-03-15"}  # first-infusion observation unconfirmed
    assert _send(client, "POST", f"/api/patients/{world.patients['a2']}/prescriptions", body).status_code == 201
    _as(client, "patient_a2")
    page = client.get("/patient").text
    assert "Part of the time for this visit is not confirmed yet" in page
    _as(client, "scheduler_a")
    assert "unconfirmed" in client.get(f"/staff/patients/{world.patients['a2']}").text


def test_the_patients_plan_counts_prior_mitoxantrone_toward_the_lifetime_cap(
    app: FastAPI, client: TestClient, world: World
) -> None:
    _as(client, "scheduler_a")
    patient = world.patients["a2"]
    # A patient may hold several active prescriptions (the visit lifecycle): stop the world's one so the
    # mitoxantrone plan is the one the patient's plan shows.
    rx = world.prescriptions["a2"]
    with app.state.database.session() as db:
        stop_on = db.get_one(Prescription, rx).start_date.isoformat()
    stopped = client.post(
        f"/staff/prescriptions/{rx}/stop",
        data={"stop_on": stop_on, "reason": "switched to mitoxantrone", "csrf_token": csrf_token(client, "/staff")},
        follow_redirects=False,
    )
    assert stopped.status_code == 303
    body = {"therapy_id": "mitoxantrone", "start_date": "2027-03-15", "bsa": 1.8}
    assert _send(client, "POST", f"/api/patients/{patient}/prescriptions", body).status_code == 201
    _as(client, "patient_a2")
    without_prior = len(client.get("/api/patient/plan").json()["visits"])
    _as(client, "scheduler_a")
    assert (
        _send(client, "PUT", f"/api/patients/{patient}/prior-exposure", {"prior_mitoxantrone_mg_m2": 120}).status_code
        == 200
    )
    _as(client, "patient_a2")
    # US cap 140 mg/m2, 12 mg/m2 a dose (mitoxantrone.yaml): 120 already given leaves room for one dose.
    assert without_prior > 1 and len(client.get("/api/patient/plan").json()["visits"]) == 1


def test_the_patients_plan_lists_no_visit_in_the_past(client: TestClient, world: World) -> None:
    _as(client, "scheduler_a")
    body = {"therapy_id": "ocrelizumab-iv", "start_date": "2027-01-04"}  # dose 1 overdue since January
    assert _send(client, "POST", f"/api/patients/{world.patients['a2']}/prescriptions", body).status_code == 201
    _as(client, "patient_a2")
    visits = client.get("/api/patient/plan").json()["visits"]
    assert visits and min(v["date"] for v in visits) >= "2027-03-01"  # the center's today in New York


def test_the_staff_page_refuses_a_negative_or_absurd_prior_exposure_in_words(client: TestClient, world: World) -> None:
    _as(client, "nurse_a")
    url = f"/staff/patients/{world.patients['a2']}/prior-exposure"
    for value, words in (("-50", "0 or more"), ("5000", "prior exposure must be 0 to"), ("lots", "a number")):
        form = {"prior_mitoxantrone_mg_m2": value, "csrf_token": csrf_token(client, "/staff")}
        refused = client.post(url, data=form, follow_redirects=False)
        assert refused.status_code == 422 and words in refused.text, value
    form = {"prior_mitoxantrone_mg_m2": "36", "csrf_token": csrf_token(client, "/staff")}
    assert client.post(url, data=form, follow_redirects=False).status_code == 303
    assert "36 mg/m²" in client.get(f"/staff/patients/{world.patients['a2']}").text
