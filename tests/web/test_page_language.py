"""Pages before sign-in and error pages speak the visitor's language: the browser's Accept-Language, a
visible switch that wins over it, and once signed in the patient's own choice."""

from __future__ import annotations

from fastapi import FastAPI

from msinfusion.db.models import Patient
from tests.web.web_world import PASSWORD, TestClient, World, csrf_token, sign_in


def test_the_sign_in_page_follows_the_browsers_language(client: TestClient) -> None:
    spanish = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in spanish.text and "Iniciar sesión" in spanish.text
    english = client.get("/login", headers={"Accept-Language": "fr, en;q=0.8, es;q=0.2"})
    assert '<html lang="en">' in english.text and "Sign in" in english.text


def test_the_visible_switch_wins_over_the_browser_and_returns_to_the_same_page(client: TestClient) -> None:
    token = csrf_token(client, "/login")
    response = client.post(
        "/language", data={"locale": "es", "back": "/login?next=/patient", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/patient"
    page = client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in page.text


def test_the_switch_never_sends_the_visitor_to_another_site(client: TestClient) -> None:
    token = csrf_token(client, "/login")
    response = client.post(
        "/language", data={"locale": "es", "back": "//evil.example/", "csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"] == "/login"


def test_a_failed_sign_in_keeps_the_username_and_says_why_in_the_visitors_language(
    client: TestClient, world: World
) -> None:
    client.headers["Accept-Language"] = "es"
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": "patient_a1", "password": "wrong", "csrf_token": token})
    assert response.status_code == 400
    assert 'value="patient_a1"' in response.text
    assert "no coinciden" in response.text
    assert PASSWORD not in response.text and 'value="wrong"' not in response.text


def test_error_pages_speak_the_browsers_language_before_sign_in(client: TestClient) -> None:
    page = client.get("/no-such-page", headers={"Accept-Language": "es"})
    assert page.status_code == 404
    assert '<html lang="es">' in page.text and "No se encontró la página" in page.text


def test_error_pages_speak_the_patients_own_language_after_sign_in(
    app: FastAPI, client: TestClient, world: World
) -> None:
    with app.state.database.session() as db:
        db.get_one(Patient, world.patients["a1"]).locale = "es"
    assert sign_in(client, "patient_a1").status_code == 303
    page = client.get("/staff/patients", headers={"Accept-Language": "en"})
    assert page.status_code == 403
    assert '<html lang="es">' in page.text and "Su cuenta no puede abrir esta página." in page.text


def test_an_unknown_address_answers_in_the_signed_in_patients_language(
    app: FastAPI, client: TestClient, world: World
) -> None:
    with app.state.database.session() as db:
        db.get_one(Patient, world.patients["a1"]).locale = "es"
    assert sign_in(client, "patient_a1").status_code == 303
    page = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and '<html lang="es">' in page.text
    assert ">Recordatorios</a>" in page.text  # the patient's navigation, in their language
