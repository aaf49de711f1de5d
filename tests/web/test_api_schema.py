"""Schemathesis against the in-process app, as a patient and as a scheduler: no 5xx, and every answer
(401/403/404/409/413/422/503 included) is documented in the OpenAPI schema with the shape it has.

Bounded: a few examples per operation. On SQLite it runs with the quick tests; on PostgreSQL with the
``postgres`` tests (``make test``). A stateful run follows the links Schemathesis infers between
operations (an id one answer gives, another takes: a prescription made, then its doses recorded) and
checks each step the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import positive_data_acceptance

from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FakeClock, TestClient, build_world, csrf_token, sign_in

EXAMPLES = 12  # per operation, valid and invalid data mixed
SCENARIOS = 15  # stateful: sequences of linked calls
STEPS = 6  # calls per sequence at most


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest) -> Iterator[FastAPI]:
    """The app with a small world, once on SQLite and once on PostgreSQL."""
    base: Settings = request.getfixturevalue("settings_sqlite" if request.param == "sqlite" else "pg_settings")
    made = create_app(base.model_copy(update={"solver_time_limit_seconds": 0.2}), clock=FakeClock())
    build_world(made.state.database, made.state.settings)
    yield made
    made.state.schedule_runner.shutdown()
    made.state.database.dispose()


@pytest.fixture
def api_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def _signed_in_headers(app: FastAPI, username: str) -> dict[str, str]:
    """The cookies and CSRF header of a browser signed in as ``username``."""
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, username).status_code == 303
    token = csrf_token(client, "/patient" if username.startswith("patient") else "/staff")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return {"Cookie": cookie, "X-CSRF-Token": token}


@pytest.fixture
def patient_headers(app: FastAPI) -> dict[str, str]:
    return _signed_in_headers(app, "patient_a1")


@pytest.fixture
def scheduler_headers(app: FastAPI) -> dict[str, str]:
    return _signed_in_headers(app, "scheduler_a")


def fuzz_every_operation(app: FastAPI, headers: dict[str, str]) -> int:
    """Call each documented operation with generated valid and invalid data; each answer is checked.

    (Schemathesis' own pytest fixture loader does not run on pytest 9, so the operations are walked
    here with Hypothesis directly; the checks are Schemathesis' defaults.)
    """
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    operations = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the app's own schema is valid
        operation = result.ok()
        operations += 1

        strategy = operation.as_strategy() | operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)

        @given(case=strategy)
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case: schemathesis.Case[Any]) -> None:
            # Not positive_data_acceptance: a schema-valid body may still name a task that is not in the
            # patient's next visit (422); that is a fact of the data, not of the schema.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        call()
    return operations


def test_as_a_patient_every_api_operation_answers_as_documented_and_never_with_a_server_error(
    app: FastAPI, patient_headers: dict[str, str]
) -> None:
    assert fuzz_every_operation(app, patient_headers) >= 10


def test_as_a_scheduler_every_api_operation_answers_as_documented_and_never_with_a_server_error(
    app: FastAPI, scheduler_headers: dict[str, str]
) -> None:
    assert fuzz_every_operation(app, scheduler_headers) >= 10


def test_every_api_operation_documents_its_error_answers_as_problem_json(app: FastAPI) -> None:
    schema = TestClient(app).get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "404", "409", "413", "422", "503"):
                answer = operation["responses"].get(status)
                assert answer is not None, (method, path, status)
                assert "application/problem+json" in answer["content"], (method, path, status)


def fuzz_linked_calls(app: FastAPI, headers: dict[str, str]) -> int:
    """Run linked sequences of calls (stateful); each answer is checked as above. Returns the links followed."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    base = schema.as_state_machine()
    # One rule per link, named "<source>___<status>_<link>__<target>" (GET_api_patients___200_...).
    links = [name for name in vars(base) if "___" in name and not name.startswith("RANDOM")]

    class Machine(base):  # type: ignore[valid-type,misc]
        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Response, case: schemathesis.Case[Any], **kwargs: Any) -> None:
            case.validate_response(response, excluded_checks=[positive_data_acceptance], transport_kwargs=kwargs)

    Machine.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
    return len(links)


@pytest.mark.parametrize("username", ["patient_a1", "scheduler_a"])
def test_linked_calls_as_a_patient_and_as_a_scheduler_answer_as_documented(app: FastAPI, username: str) -> None:
    assert fuzz_linked_calls(app, _signed_in_headers(app, username)) >= 3
