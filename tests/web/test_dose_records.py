"""Recorded doses go through the core's checks: a dose that breaks a rule is refused with each reason, unless a
clinician confirms it with a written reason; then it is stored, flagged, audited and shown to staff.

Today in these tests is 1 March 2027 in New York (the world's clock).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from httpx import Response
from sqlalchemy import func, select

from msinfusion.db.models import AuditEvent, GivenDose
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in


@pytest.fixture
def both(settings: Settings) -> Iterator[tuple[TestClient, World]]:
    """A signed-out client and the world, on SQLite and on PostgreSQL."""
    app = create_app(settings, clock=FakeClock())
    world = build_world(app.state.database, settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, world


def _post(client: TestClient, url: str, body: Mapping[str, object]) -> Response:
    response: Response = client.post(url, json=body, headers={"X-CSRF-Token": csrf_token(client, "/staff")})
    return response


def _prescribe(client: TestClient, world: World, therapy: str, start: str, key: str = "a2") -> int:
    response = _post(
        client, f"/api/patients/{world.patients[key]}/prescriptions", {"therapy_id": therapy, "start_date": start}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _count(client: TestClient, model: type) -> int:
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        return db.scalar(select(func.count()).select_from(model)) or 0


def _rx(client: TestClient, world: World, rx_id: int, key: str = "a2") -> dict[str, object]:
    detail = client.get(f"/api/patients/{world.patients[key]}").json()
    found: dict[str, object] = next(p for p in detail["prescriptions"] if p["id"] == rx_id)
    return found


def test_a_dose_of_99999_mg_or_11_weeks_early_is_refused_with_each_reason_until_a_clinician_confirms(
    both: tuple[TestClient, World],
) -> None:
    client, world = both
    sign_in(client, "scheduler_a")
    rx = _prescribe(client, world, "ocrelizumab-iv", "2026-12-01")
    doses = f"/api/prescriptions/{rx}/doses"
    checks = f"/api/prescriptions/{rx}/checks"
    for number in (1, 2, 3):  # OCREVUS: infection check before each dose (ocrelizumab-iv.yaml)
        assert _post(client, checks, {"dose_number": number, "check_id": "infection"}).status_code == 201

    huge = _post(client, doses, {"given_on": "2026-12-01", "amount_mg": 99999})
    assert huge.status_code == 422 and huge.headers["content-type"] == "application/problem+json"
    [reason] = huge.json()["problems"]
    assert reason["kind"] == "amount" and reason["field"] == "amount_mg" and "300 mg" in reason["message"]
    assert reason["sources"]  # the label's source id travels with the reason
    assert _count(client, GivenDose) == 0

    assert _post(client, doses, {"given_on": "2026-12-01", "amount_mg": 300}).status_code == 201
    assert _post(client, doses, {"given_on": "2026-12-15", "amount_mg": 300}).status_code == 201
    early = _post(client, doses, {"given_on": "2027-03-01", "amount_mg": 600})  # dose 3: at least 5 months after dose 2
    assert early.status_code == 422
    assert [p["kind"] for p in early.json()["problems"]] == ["min-interval"]
    unsure = _post(client, doses, {"given_on": "2027-03-01", "amount_mg": 600, "clinician_confirms": True})
    assert unsure.status_code == 422  # a confirmation needs a written reason

    confirmed = _post(
        client,
        doses,
        {
            "given_on": "2027-03-01",
            "amount_mg": 600,
            "clinician_confirms": True,
            "clinician_reason": "Travelling abroad in June; neurologist agreed",
        },
    )
    assert confirmed.status_code == 201, confirmed.text
    stored = confirmed.json()
    assert stored["flags"] and stored["flags"][0].startswith("min-interval")
    assert stored["confirmed_by"] == "Scheduler A" and stored["recorded_by"] == "Scheduler A"
    assert stored["confirmation_reason"] == "Travelling abroad in June; neurologist agreed"
    view = _rx(client, world, rx)
    calendar = view["calendar"]
    assert isinstance(calendar, list)
    # What follows: the calendar counts dose 3 as given on 1 March and plans dose 4 from it, never in the past.
    assert [(d["number"], d["status"]) for d in calendar[:4]] == [
        (1, "given"),
        (2, "given"),
        (3, "given"),
        (4, "planned"),
    ]
    assert calendar[3]["day"] > "2027-03-01"
    with client.app.state.database.session() as db:  # type: ignore[attr-defined]
        event = db.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "given_dose").order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None and event.details == {"flagged": ["min-interval"], "clinician_confirmed": True}


def test_an_alemtuzumab_dose_21_days_after_course_1_is_refused_as_out_of_sequence(
    client: TestClient, world: World
) -> None:
    sign_in(client, "scheduler_a")
    rx = _prescribe(client, world, "alemtuzumab", "2026-12-01")
    client.cookies.clear()
    sign_in(client, "nurse_a")
    doses = f"/api/prescriptions/{rx}/doses"
    for day in range(1, 6):
        assert _post(client, doses, {"given_on": f"2026-12-0{day}", "amount_mg": 12}).status_code == 201
    response = _post(client, doses, {"given_on": "2026-12-26", "amount_mg": 12})
    assert response.status_code == 422
    assert [p["kind"] for p in response.json()["problems"]] == ["course-sequence"]


def test_a_dose_dated_in_the_future_or_before_the_prescription_is_refused(client: TestClient, world: World) -> None:
    sign_in(client, "scheduler_a")
    rx = _prescribe(client, world, "alemtuzumab", "2026-12-01")
    client.cookies.clear()
    sign_in(client, "nurse_a")
    doses = f"/api/prescriptions/{rx}/doses"
    assert [p["kind"] for p in _post(client, doses, {"given_on": "2027-03-02"}).json()["problems"]] == ["future"]
    assert "before-start" in [p["kind"] for p in _post(client, doses, {"given_on": "2026-11-30"}).json()["problems"]]


def test_the_staff_form_keeps_the_input_lists_the_reasons_and_takes_a_clinician_confirmation(
    client: TestClient, world: World
) -> None:
    sign_in(client, "scheduler_a")
    rx = _prescribe(client, world, "alemtuzumab", "2026-12-01")
    client.cookies.clear()
    sign_in(client, "nurse_a")
    page_url = f"/staff/patients/{world.patients['a2']}"
    form = {
        "given_on": "2026-12-01",
        "amount_mg": "99999",
        "note": "left arm",
        "csrf_token": csrf_token(client, "/staff"),
    }
    refused = client.post(f"/staff/prescriptions/{rx}/doses", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert "dose 1 of alemtuzumab is 12 mg" in refused.text and "tick the confirmation" in refused.text
    assert 'value="99999"' in refused.text and 'value="left arm"' in refused.text  # what the nurse typed stays

    form |= {"clinician_confirms": "yes", "clinician_reason": "Typed by the pharmacy; checked with Dr Lee"}
    assert client.post(f"/staff/prescriptions/{rx}/doses", data=form, follow_redirects=False).status_code == 303
    page = client.get(page_url).text
    assert "99999 mg" in page and "Flagged" in page and "left arm" in page and "Nurse A" in page
    assert "confirmed by Nurse A: Typed by the pharmacy; checked with Dr Lee" in page
    assert "Amount status" in page and "label" in page  # each calendar amount says where it comes from
