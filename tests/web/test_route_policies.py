"""Every route declares one policy, and every policy refuses the wrong people.

The table of routes comes from the app itself, so a new route without a policy, with an id in its path
that the policies cannot place, or that quietly became public, fails here.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from msinfusion.db.models import ROLES, AuditEvent
from msinfusion.web.policies import OWNERS, POLICIES, UNSCOPED_PATH_PARAMS, RoutePolicy, route_table
from tests.web.web_world import TestClient, World, csrf_token, sign_in

# Routes anyone may call. Adding one is a decision: put it here on purpose.
PUBLIC = {
    ("/login", "GET"),
    ("/login", "POST"),
    ("/api/health", "GET"),
    ("/api/openapi.json", "GET"),
    ("/static", ""),
    # The private calendar feed: calendar apps send no cookies, so the secret token in the URL is the
    # credential (hashed in the DB, revocable); tests/web/test_patient_calendar.py proves it.
    ("/feeds/{token}.ics", "GET"),
    # The one-time set-password link: the token is the credential (hashed, expiring, single use);
    # tests/web/test_accounts.py proves it.
    ("/set-password/{token}", "GET"),
    ("/set-password/{token}", "POST"),
    # The second step of signing in: no session exists yet; a signed, browser-bound, five-minute cookie
    # names who passed the password (tests/web/test_mfa.py proves it).
    ("/login/code", "GET"),
    ("/login/code", "POST"),
    ("/login/enrol", "GET"),
    ("/login/enrol", "POST"),
    # The links in our e-mails: the signed token is the credential; GET only shows a button
    # (tests/web/test_patient_reminders.py proves opening a link changes nothing).
    ("/verify-email/{token}", "GET"),
    ("/verify-email/{token}", "POST"),
    ("/unsubscribe/{token}", "GET"),
    # The language switch before sign-in (a cookie; CSRF-checked like every form).
    ("/language", "POST"),
}
# RFC 8058 one-click unsubscribe: mail providers POST it with no session and no CSRF token.
SIGNED_LINKS = {("/unsubscribe/{token}", "POST")}

# Users of center A, by role; patient_a1 owns the objects used in paths.
USER_FOR_ROLE = {"patient": "patient_a1", "nurse": "nurse_a", "scheduler": "scheduler_a", "admin": "admin_a"}


def _routes(app: FastAPI) -> list[tuple[RoutePolicy, str]]:
    return [(route, method) for route in route_table(app) for method in sorted(route.methods) or [""]]


def _fill(path: str, world: World, owner: str = "a1") -> str:
    values = {
        "patient_id": world.patients[owner],
        "prescription_id": world.prescriptions[owner],
        "appointment_id": world.appointments[owner],
        "user_id": world.users[f"patient_{owner}"],
        "therapy_id": "ocrelizumab-iv",
        "token": "not-a-live-feed-token-0123456789",
    }
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values[m.group(1)]), path)


def _call(client: TestClient, method: str, url: str) -> int:
    if method in ("GET", "HEAD"):
        return int(client.request(method, url, follow_redirects=False).status_code)
    token = csrf_token(client, "/")
    headers = {"X-CSRF-Token": token}
    return int(client.request(method, url, headers=headers, follow_redirects=False).status_code)


def _signed_in(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, username).status_code == 303
    return client


def test_every_route_declares_exactly_one_known_policy(app: FastAPI) -> None:
    missing = [f"{m} {r.path}" for r, m in _routes(app) if r.policy not in POLICIES]
    assert missing == []


# Routes that change state, and every patient route (their data is PHI), declare their audit event next to
# their policy; the unit of work writes it in the route's own transaction.
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def test_every_route_that_changes_state_or_serves_a_patient_declares_its_audit_event(app: FastAPI) -> None:
    missing = [
        f"{m} {r.path}" for r, m in _routes(app) if (m in UNSAFE or r.policy == "patient-self") and r.audit is None
    ]
    assert missing == []


def test_audit_events_name_an_action_and_an_object_type(app: FastAPI) -> None:
    events = {r.audit for r in route_table(app) if r.audit is not None}
    assert events and all(re.fullmatch(r"[a-z]+ [a-z_]+", event) for event in events)
    assert "create prescription" in events and "update appointment" in events


def test_every_id_in_a_path_has_an_owner_rule(app: FastAPI) -> None:
    known = set(OWNERS) | UNSCOPED_PATH_PARAMS
    unknown = {(r.path, p) for r in route_table(app) for p in r.path_params if p not in known}
    assert unknown == set()


def test_only_the_listed_routes_are_public(app: FastAPI) -> None:
    public = {(r.path, m) for r, m in _routes(app) if r.policy == "public"}
    assert public == PUBLIC


def test_only_the_one_click_unsubscribe_skips_the_csrf_check(app: FastAPI) -> None:
    unchecked = {(r.path, m) for r, m in _routes(app) if not POLICIES[r.policy or "public"].csrf}
    assert unchecked == SIGNED_LINKS


def test_the_openapi_schema_lists_every_api_route(client: TestClient, app: FastAPI) -> None:
    schema = client.get("/api/openapi.json").json()
    documented = {(path, method.upper()) for path, ops in schema["paths"].items() for method in ops}
    api = {(r.path, m) for r, m in _routes(app) if r.path.startswith("/api/") and r.path != "/api/openapi.json"}
    assert api <= documented


def test_anonymous_callers_are_sent_to_sign_in(app: FastAPI, client: TestClient, world: World) -> None:
    for route, method in _routes(app):
        if route.policy == "public" or (route.path, method) in SIGNED_LINKS:
            continue
        url = _fill(route.path, world)
        response = client.request(method, url, headers={"X-CSRF-Token": csrf_token(client)}, follow_redirects=False)
        if method == "GET" and not route.path.startswith("/api/"):
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/login?next="), url
        else:
            assert response.status_code == 401, f"{method} {url}"


@pytest.mark.parametrize("role", ROLES)
def test_roles_outside_a_policy_get_403(app: FastAPI, world: World, role: str) -> None:
    client = _signed_in(app, USER_FOR_ROLE[role])
    refused = 0
    for route, method in _routes(app):
        policy = POLICIES[route.policy or "public"]
        if policy.roles is None or role in policy.roles:
            continue
        assert _call(client, method, _fill(route.path, world)) == 403, f"{role}: {method} {route.path}"
        refused += 1
    if refused:
        with app.state.database.session() as db:
            denials = db.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
        assert len(denials) == refused


@pytest.mark.parametrize("role", ROLES)
def test_objects_of_another_center_or_patient_are_not_found(app: FastAPI, world: World, role: str) -> None:
    # Staff of center B, or patient a2 (same center as the owner a1), must not reach a1's objects.
    outsider = "patient_a2" if role == "patient" else USER_FOR_ROLE[role].replace("_a", "_b")
    client = _signed_in(app, outsider)
    for route, method in _routes(app):
        policy = POLICIES[route.policy or "public"]
        if policy.roles is None or role not in policy.roles or not (route.path_params & set(OWNERS)):
            continue
        assert _call(client, method, _fill(route.path, world)) == 404, f"{outsider}: {method} {route.path}"


@pytest.mark.parametrize("role", ROLES)
def test_the_right_role_reaches_its_own_objects(app: FastAPI, world: World, role: str) -> None:
    client = _signed_in(app, USER_FOR_ROLE[role])
    for route, method in _routes(app):
        policy = POLICIES[route.policy or "public"]
        if policy.roles is None or role not in policy.roles or route.path == "/logout":
            continue
        status = _call(client, method, _fill(route.path, world))
        assert status not in (401, 403, 404) and status < 500, f"{role}: {method} {route.path} -> {status}"
