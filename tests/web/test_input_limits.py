"""Limits: every text has a maximum counted as the browser counts it, lists have a maximum size, the body
has a size limit; nothing is ever cut silently, and the HTML maxlength comes from the limits table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from msinfusion.db.models import Patient
from msinfusion.limits import max_chars, max_items
from msinfusion.settings import Settings
from msinfusion.web import create_app
from msinfusion.web.views.card_form import MAXLENGTH
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, sign_in


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    made = create_app(settings, clock=FakeClock())
    yield made
    made.state.database.dispose()


@pytest.fixture
def world(app: FastAPI) -> World:
    return build_world(app.state.database, app.state.settings)


@pytest.fixture
def patient(app: FastAPI, world: World) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, "patient_a1").status_code == 303
    client.headers["X-CSRF-Token"] = csrf_token(client, "/patient/card")
    return client


def stored_card(app: FastAPI, world: World) -> dict[str, object]:
    with app.state.database.session() as db:
        return dict(db.get_one(Patient, world.patients["a1"]).card)


def test_a_full_box_with_windows_line_breaks_is_saved_whole_not_cut(
    app: FastAPI, world: World, patient: TestClient
) -> None:
    limit = max_chars("card.list_text")
    items = max_items("card.medicines")
    dose = "1000 units a day with food".ljust(limit // items - 1 - len("Vitamin D: "), ".")
    text = "\r\n".join([f"Vitamin D: {dose}"] * items)
    # Over the limit when a line break counts two (the server used to cut it), within it as the browser counts.
    assert len(text) > limit >= len(text.replace("\r\n", "\n"))
    page = patient.post("/patient/card", data={"csrf_token": patient.headers["X-CSRF-Token"], "medicines": text})
    assert page.status_code == 200 and "Your card is saved" in page.text
    medicines = stored_card(app, world)["medicines"]
    assert isinstance(medicines, list) and len(medicines) == items
    assert all(m == {"name": "Vitamin D", "dose": dose} for m in medicines)


def test_a_box_one_character_over_is_refused_naming_the_field_and_keeps_what_was_typed(
    app: FastAPI, world: World, patient: TestClient
) -> None:
    before = stored_card(app, world)
    text = "x" * (max_chars("card.list_text") + 1)
    page = patient.post("/patient/card", data={"csrf_token": patient.headers["X-CSRF-Token"], "conditions": text})
    assert page.status_code == 422
    assert 'href="#conditions"' in page.text and "too long" in page.text
    assert text in page.text  # kept in the form, never cut
    assert stored_card(app, world) == before


def test_too_many_lines_are_refused_not_dropped(app: FastAPI, world: World, patient: TestClient) -> None:
    text = "\n".join(f"Allergy {n}" for n in range(max_items("card.allergies") + 1))
    page = patient.post("/patient/card", data={"csrf_token": patient.headers["X-CSRF-Token"], "allergies": text})
    assert page.status_code == 422 and 'href="#allergies"' in page.text


def test_the_api_refuses_a_long_name_and_too_many_allergies_naming_the_field(patient: TestClient) -> None:
    long_name = patient.put("/api/patient/card", json={"name": "N" * 100_000})
    assert long_name.status_code == 422
    assert long_name.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in long_name.json()["errors"]] == ["name"]
    many = patient.put("/api/patient/card", json={"allergies": [{"substance": f"A{n}"} for n in range(5000)]})
    assert many.status_code == 422 and many.json()["errors"][0]["field"] == "allergies"
    one_line = patient.put("/api/patient/card", json={"allergies": [{"substance": "P" * 201}]})
    assert one_line.status_code == 422 and one_line.json()["errors"][0]["field"] == "allergies.0.substance"


def test_the_api_counts_a_line_break_as_one_character(patient: TestClient) -> None:
    limit = max_chars("card.item_detail")
    reaction = "\r\n".join(["a" * 9] * (limit // 10))  # exactly at the limit as a browser counts it
    response = patient.put("/api/patient/card", json={"allergies": [{"substance": "Penicillin", "reaction": reaction}]})
    assert response.status_code == 200, response.text
    assert response.json()["allergies"][0]["reaction"] == reaction.replace("\r\n", "\n")


def test_a_body_over_the_limit_is_413_problem_json(app: FastAPI, patient: TestClient) -> None:
    limit = app.state.settings.max_request_bytes
    response = patient.put(
        "/api/patient/card", content=b"{" + b" " * limit + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413


def test_a_streamed_body_over_the_limit_is_413_too(app: FastAPI, patient: TestClient) -> None:
    limit = app.state.settings.max_request_bytes

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    response = patient.put("/api/patient/card", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_the_card_forms_maxlength_attributes_come_from_the_limits_table(patient: TestClient) -> None:
    page = patient.get("/patient/card").text
    for name, limit in MAXLENGTH.items():
        match = re.search(rf'name="{name}"[^>]*maxlength="(\d+)"', page)
        assert match, name
        assert int(match.group(1)) == limit
    assert MAXLENGTH["allergies"] == max_chars("card.list_text")
