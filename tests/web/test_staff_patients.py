"""Staff see their center's patients, assign regimens and record given doses; the calendar is the core's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from httpx import Response
from sqlalchemy import func, select

from msinfusion.db.models import AuditEvent, GivenDose, Prescription
from msinfusion.regimens import dose_calendar
from msinfusion.therapies import load_catalog
from tests.web.web_world import TestClient, World, csrf_token, sign_in

# OCREVUS asks for an infection check before each dose (ocrelizumab-iv.yaml, before_each_dose).
INFECTION_CHECK = {"dose_number": 1, "check_id": "infection"}


def _api_post(client: TestClient, url: str, body: Mapping[str, object]) -> Response:
    response: Response = client.post(url, json=body, headers={"X-CSRF-Token": csrf_token(client, "/staff")})
    return response


def _count(client: TestClient, model: type) -> int:
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_list_shows_only_this_centers_patients(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    page = client.get("/staff/patients").text
    assert "Patient A1" in page and "Patient A2" in page and "Patient B1" not in page
    assert [p["reference"] for p in client.get("/api/patients").json()] == ["PA1", "PA2"]


def test_the_patient_page_shows_the_cores_calendar_and_the_read_is_audited(client: TestClient, world: World) -> None:
    sign_in(client, "nurse_a")
    patient_id = world.patients["a1"]
    detail = client.get(f"/api/patients/{patient_id}").json()
    expected = dose_calendar(
        load_catalog().get("ocrelizumab-iv"), date(2027, 3, 8), until=date(2029, 3, 7), as_of=date(2027, 3, 1)
    )
    [rx] = detail["prescriptions"]
    assert [d["day"] for d in rx["calendar"]] == [d.date.isoformat() for d in expected.doses]
    page = client.get(f"/staff/patients/{patient_id}").text
    assert expected.doses[0].date.strftime("%a %-d %b %Y") in page
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        reads = db.scalars(
            select(AuditEvent).where(AuditEvent.action == "read", AuditEvent.patient_id == patient_id)
        ).all()
    assert len(reads) == 2 and {r.actor_user_id for r in reads} == {world.users["nurse_a"]}


def test_a_scheduler_assigns_a_regimen_with_the_form(client: TestClient, world: World) -> None:
    sign_in(client, "scheduler_a")
    patient_id = world.patients["a2"]
    token = csrf_token(client, "/staff")
    data = {"therapy_id": "natalizumab", "start_date": "2027-03-15", "csrf_token": token}
    response = client.post(f"/staff/patients/{patient_id}/prescriptions", data=data, follow_redirects=False)
    assert response.status_code == 303
    [_, natalizumab] = client.get(f"/api/patients/{patient_id}").json()["prescriptions"]
    assert natalizumab["therapy_id"] == "natalizumab" and natalizumab["calendar"][0]["day"] == "2027-03-15"
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        stored = db.get(Prescription, natalizumab["id"])
        assert stored is not None and stored.prescribed_by == world.users["scheduler_a"]


def test_the_cores_objections_are_shown_and_nothing_is_saved(client: TestClient, world: World) -> None:
    sign_in(client, "scheduler_a")
    before = _count(client, Prescription)
    token = csrf_token(client, "/staff")
    data = {"therapy_id": "mitoxantrone", "start_date": "2027-03-15", "csrf_token": token}
    response = client.post(f"/staff/patients/{world.patients['a2']}/prescriptions", data=data)
    assert response.status_code == 422
    assert "body surface area" in response.text
    data |= {"therapy_id": "aspirin"}
    assert client.post(f"/staff/patients/{world.patients['a2']}/prescriptions", data=data).status_code == 422
    assert _count(client, Prescription) == before


def test_recording_a_given_dose_recomputes_the_calendar(client: TestClient, world: World) -> None:
    sign_in(client, "scheduler_a")
    created = _api_post(
        client,
        f"/api/patients/{world.patients['a1']}/prescriptions",
        {"therapy_id": "ocrelizumab-iv", "start_date": "2026-12-01"},
    )
    assert created.status_code == 201
    rx_id = created.json()["id"]
    client.cookies.clear()
    sign_in(client, "nurse_a")
    assert _api_post(client, f"/api/prescriptions/{rx_id}/checks", INFECTION_CHECK).status_code == 201
    token = csrf_token(client, "/staff")
    data = {"given_on": "2026-12-03", "amount_mg": "300", "csrf_token": token}
    assert client.post(f"/staff/prescriptions/{rx_id}/doses", data=data, follow_redirects=False).status_code == 303
    rx = next(
        p for p in client.get(f"/api/patients/{world.patients['a1']}").json()["prescriptions"] if p["id"] == rx_id
    )
    expected = dose_calendar(
        load_catalog().get("ocrelizumab-iv"),
        date(2026, 12, 1),
        until=date(2028, 11, 30),
        given=[date(2026, 12, 3)],
        as_of=date(2027, 3, 1),
    )
    assert [(d["day"], d["status"]) for d in rx["calendar"]] == [(d.date.isoformat(), d.status) for d in expected.doses]
    assert rx["given"][0]["dose_index"] == 1 and rx["given"][0]["amount_mg"] == 300


def test_impossible_doses_are_refused(client: TestClient, world: World) -> None:
    sign_in(client, "scheduler_a")
    rx_id = _api_post(
        client,
        f"/api/patients/{world.patients['a1']}/prescriptions",
        {"therapy_id": "ocrelizumab-iv", "start_date": "2026-12-01"},
    ).json()["id"]
    url = f"/api/prescriptions/{rx_id}/doses"
    assert _api_post(client, f"/api/prescriptions/{rx_id}/checks", INFECTION_CHECK).status_code == 201
    assert _api_post(client, url, {"given_on": "2026-12-03"}).status_code == 201
    # The same day again is a conflict (409, issue 11); a day the calendar cannot take is 422.
    for body, status in (
        ({"given_on": "2026-12-03"}, 409),
        ({"given_on": "2027-04-01"}, 422),
        ({"given_on": "2026-11-01"}, 422),
    ):
        response = _api_post(client, url, body)
        assert response.status_code == status, body
        assert response.headers["content-type"] == "application/problem+json"
    assert _count(client, GivenDose) == 1


def test_clients_cannot_set_owner_author_or_status(client: TestClient, world: World) -> None:
    sign_in(client, "scheduler_a")
    before = _count(client, Prescription)
    for extra in (
        {"patient_id": world.patients["b1"]},
        {"prescribed_by": 1},
        {"status": "stopped"},
        {"version": 9},
        {"role": "admin"},
    ):
        body = {"therapy_id": "ocrelizumab-iv", "start_date": "2027-03-15", **extra}
        response = _api_post(client, f"/api/patients/{world.patients['a1']}/prescriptions", body)
        assert response.status_code == 422, extra
    assert _count(client, Prescription) == before


def test_override_reasons_are_shown_as_text_not_markup(client: TestClient, world: World) -> None:
    sign_in(client, "admin_a")
    token = csrf_token(client, "/staff")
    reason = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    data = {"field": "infusions.initial.volume_ml", "value": "300", "reason": reason, "csrf_token": token}
    client.post("/staff/catalog/ocrelizumab-iv/overrides", data=data)
    page = client.get("/staff/catalog/ocrelizumab-iv").text
    assert "<script>alert(2)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
