"""Races on shared state, 50 rounds each on SQLite and PostgreSQL: two edits from the same version never
both win silently (the second gets 409 and the current state), and concurrent duplicates never give a 500.

Each racer is its own TestClient (its own session and database connection) released by a barrier, so
the requests reach the database at the same moment.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, func, select, update

from msinfusion.db.models import Appointment, CalendarFeedToken, GivenDose, Nurse, NurseShift, Patient
from msinfusion.db.schedule_models import BoardEvent
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FakeClock, TestClient, World, build_world, csrf_token, record_required_checks, sign_in

# 50 rounds of each race take minutes: they run in `make test` (CI), not in the quick loop.
pytestmark = pytest.mark.slow

ROUNDS = 50
DAY = date(2027, 3, 8)


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; their results in order (exceptions re-raised)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    made = create_app(settings.model_copy(update={"solver_time_limit_seconds": 1}), clock=FakeClock())
    yield made
    made.state.database.dispose()


@pytest.fixture
def world(app: FastAPI) -> World:
    built = build_world(app.state.database, app.state.settings)
    record_required_checks(app.state.database, built, "a1")
    return built


def signed_in(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, username).status_code == 303
    return client


_VERSION = re.compile(r'name="version" value="(\d+)"')


def form_version(page: str) -> str:
    match = _VERSION.search(page)
    assert match, "the form carries no version"
    return match.group(1)


# --- schedule moves -------------------------------------------------------------------------------


def _staffed_run(app: FastAPI, world: World) -> tuple[TestClient, TestClient, int, list[str]]:
    with app.state.database.session() as db:
        for code, starts, ends in (("N1", time(7), time(15)), ("N2", time(11), time(19))):
            nurse = Nurse(center_id=world.centers["a"], code=code, name=f"Nurse {code}")
            db.add(nurse)
            db.flush()
            db.add(NurseShift(nurse_id=nurse.id, weekday=0, starts=starts, ends=ends))
    first, second = signed_in(app, "scheduler_a"), signed_in(app, "admin_a")
    token = csrf_token(first, "/staff")
    assert first.post("/staff/schedule/run", data={"csrf_token": token, "day": DAY.isoformat()}).status_code == 200
    job_id = int(first.get(f"/api/schedule/status?day={DAY}").json()["id"])
    app.state.schedule_runner.wait(job_id)
    visits = sorted(a["appointment"] for a in first.get(f"/api/schedule?day={DAY}").json()["assignments"])
    assert len(visits) == 2
    # Start from one visit per chair, far apart, so each race's moves keep the day's rules.
    for visit, chair, start in ((visits[1], "C02", "13:00"), (visits[0], "C01", "07:00")):
        data = {"csrf_token": token, "job_id": job_id, "appointment": visit, "chair": chair, "start": start}
        moved = first.post("/staff/schedule/move", data=data, follow_redirects=False)
        assert moved.status_code == 303, moved.text
    return first, second, job_id, visits


def _placement(client: TestClient, visit: str) -> tuple[str, str]:
    assignments = client.get(f"/api/schedule?day={DAY}").json()["assignments"]
    found = next(a for a in assignments if a["appointment"] == visit)
    return found["chair"], found["start"]


@pytest.mark.parametrize("sends_version", [True, False], ids=["with-version", "without-version"])
def test_two_schedulers_moving_different_visits_at_once_both_land_or_one_gets_409(
    app: FastAPI, world: World, sends_version: bool
) -> None:
    first, second, job_id, (one, two) = _staffed_run(app, world)
    tokens = csrf_token(first, "/staff"), csrf_token(second, "/staff")
    outcomes: dict[tuple[int, int], int] = {}
    for round_number in range(ROUNDS):
        version = form_version(first.get(f"/staff/schedule?day={DAY}").text)
        # Alternate the targets so every round really changes the schedule.
        starts = ("07:00", "13:00") if round_number % 2 else ("07:30", "13:30")
        moves = ((first, tokens[0], one, "C01", starts[0]), (second, tokens[1], two, "C02", starts[1]))

        def mover(
            client: TestClient, token: str, visit: str, chair: str, start: str, version: str = version
        ) -> Callable[[], int]:
            data = {"csrf_token": token, "job_id": job_id, "appointment": visit, "chair": chair, "start": start}
            if sends_version:
                data["version"] = version
            return lambda: client.post("/staff/schedule/move", data=data, follow_redirects=False).status_code

        codes = at_once(*(mover(*move) for move in moves))
        outcomes[(codes[0], codes[1])] = outcomes.get((codes[0], codes[1]), 0) + 1
        assert set(codes) <= {303, 409}, codes
        assert 303 in codes or not sends_version, codes  # from one version, exactly one wins
        if sends_version:
            assert sorted(codes) == [303, 409], codes
        for (_client, _token, visit, chair, start), code in zip(moves, codes, strict=True):
            if code == 303:  # "Visit moved" only for a move that is stored
                assert _placement(first, visit) == (chair, start)
    print(f"\nschedule move race ({'with' if sends_version else 'without'} version): {outcomes}")


def test_accepting_and_moving_from_the_same_version_never_both_succeed(app: FastAPI, world: World) -> None:
    first, second, job_id, (one, _two) = _staffed_run(app, world)
    tokens = csrf_token(first, "/staff"), csrf_token(second, "/staff")
    for round_number in range(ROUNDS):
        version = form_version(first.get(f"/staff/schedule?day={DAY}").text)
        start = "07:00" if round_number % 2 else "07:30"
        move = {"csrf_token": tokens[0], "job_id": job_id, "appointment": one, "chair": "C01", "start": start}
        accept = {"csrf_token": tokens[1], "job_id": job_id, "version": version}
        move["version"] = accept["version"] = version
        codes = at_once(sender(first, "/staff/schedule/move", move), sender(second, "/staff/schedule/accept", accept))
        assert sorted(codes) == [303, 409], codes


def sender(client: TestClient, url: str, data: dict[str, Any]) -> Callable[[], int]:
    """A call that posts ``data`` to ``url`` and gives the status code (redirects not followed)."""
    return lambda: client.post(url, data=data, follow_redirects=False).status_code


# --- the card -------------------------------------------------------------------------------------


def test_two_windows_saving_the_card_from_one_version_one_wins_and_the_other_keeps_its_text(
    app: FastAPI, world: World
) -> None:
    first, second = signed_in(app, "patient_a1"), signed_in(app, "patient_a1")
    tokens = csrf_token(first, "/patient/card"), csrf_token(second, "/patient/card")
    for round_number in range(ROUNDS):
        version = form_version(first.get("/patient/card").text)
        names = f"First Window {round_number}", f"Second Window {round_number}"

        def save(client: TestClient, token: str, name: str, version: str = version) -> Callable[[], Any]:
            data = {"csrf_token": token, "version": version, "name": name, "no_known_allergies": "1"}
            return lambda: client.post("/patient/card", data=data, follow_redirects=False)

        answers = at_once(save(first, tokens[0], names[0]), save(second, tokens[1], names[1]))
        codes = [a.status_code for a in answers]
        assert sorted(codes) == [303, 409], codes
        loser = answers[codes.index(409)]
        assert "changed in another window" in loser.text
        assert names[codes.index(409)] in loser.text  # what the loser typed is still in the form
        with app.state.database.session() as db:
            stored = db.get_one(Patient, world.patients["a1"]).card
        assert stored["name"] == names[codes.index(303)]


def test_two_api_clients_putting_the_card_with_one_etag_one_wins_and_the_other_gets_the_current_card(
    app: FastAPI, world: World
) -> None:
    first, second = signed_in(app, "patient_a1"), signed_in(app, "patient_a1")
    headers = [{"X-CSRF-Token": csrf_token(c, "/patient/card")} for c in (first, second)]
    for round_number in range(ROUNDS):
        etag = first.get("/api/patient/card").headers["ETag"]
        names = f"Api One {round_number}", f"Api Two {round_number}"
        answers = at_once(
            *(
                (
                    lambda c=c, h=h, n=n, e=etag: c.put(
                        "/api/patient/card", json={"name": n}, headers={**h, "If-Match": e}
                    )
                )
                for c, h, n in zip((first, second), headers, names, strict=True)
            )
        )
        codes = [a.status_code for a in answers]
        assert sorted(codes) == [200, 409], codes
        loser = answers[codes.index(409)]
        assert loser.headers["content-type"] == "application/problem+json"
        assert loser.json()["current"]["name"] == names[codes.index(200)]


# --- board steps ----------------------------------------------------------------------------------


def test_two_nurses_recording_the_same_step_at_once_record_it_once(app: FastAPI, world: World) -> None:
    # Only nurses record board steps: the same nurse in two browsers races as two nurses would.
    first, second = signed_in(app, "nurse_a"), signed_in(app, "nurse_a")
    tokens = csrf_token(first, "/staff"), csrf_token(second, "/staff")
    appointment = world.appointments["a1"]
    url = f"/staff/board/appointments/{appointment}/state"
    for _ in range(ROUNDS):
        with app.state.database.session() as db:
            db.execute(delete(BoardEvent).where(BoardEvent.appointment_id == appointment))
            db.execute(update(Appointment).where(Appointment.id == appointment).values(board_state="expected"))
        codes = at_once(
            *(
                (
                    lambda c=c, t=t: (
                        c.post(
                            url, data={"csrf_token": t, "from_state": "expected", "to_state": "checked_in"}
                        ).status_code
                    )
                )
                for c, t in zip((first, second), tokens, strict=True)
            )
        )
        assert sorted(codes) == [303, 409] or sorted(codes) == [200, 409], codes
        with app.state.database.session() as db:
            events = db.scalar(select(func.count()).where(BoardEvent.appointment_id == appointment))
            state = db.get_one(Appointment, appointment).board_state
        assert (events, state) == (1, "checked_in")


# --- doses ----------------------------------------------------------------------------------------


def test_simultaneous_identical_dose_records_give_one_dose_and_no_500(app: FastAPI, world: World) -> None:
    app.state.clock.now = datetime(2027, 3, 10, 15, 0, tzinfo=UTC)
    clients = [signed_in(app, name) for name in ("nurse_a", "scheduler_a", "admin_a")]
    headers = [{"X-CSRF-Token": csrf_token(c, "/staff")} for c in clients]
    prescription = world.prescriptions["a1"]
    url = f"/api/prescriptions/{prescription}/doses"
    codes_seen: dict[int, int] = {}
    for _ in range(ROUNDS):
        with app.state.database.session() as db:
            db.execute(delete(GivenDose).where(GivenDose.prescription_id == prescription))
        codes = at_once(
            *(
                (lambda c=c, h=h: c.post(url, json={"given_on": "2027-03-08"}, headers=h).status_code)
                for c, h in zip(clients, headers, strict=True)
            )
        )
        for code in codes:
            codes_seen[code] = codes_seen.get(code, 0) + 1
        assert codes.count(201) == 1 and set(codes) <= {201, 409}, codes
        with app.state.database.session() as db:
            assert db.scalar(select(func.count()).where(GivenDose.prescription_id == prescription)) == 1
    print(f"\nidentical dose race: {codes_seen}")


# --- calendar links -------------------------------------------------------------------------------


def test_twenty_simultaneous_new_calendar_links_leave_exactly_one_working_link(app: FastAPI, world: World) -> None:
    clients = [signed_in(app, "patient_a1") for _ in range(20)]
    headers = [{"X-CSRF-Token": csrf_token(c, "/patient/calendar")} for c in clients]
    answers = at_once(
        *(
            (lambda c=c, h=h: c.post("/api/patient/calendar-feed", headers=h))
            for c, h in zip(clients, headers, strict=True)
        )
    )
    codes = [a.status_code for a in answers]
    assert set(codes) <= {201, 409} and 201 in codes, codes
    urls = [a.json()["url"] for a in answers if a.status_code == 201]
    anonymous = TestClient(app, raise_server_exceptions=False)
    working = [u for u in urls if anonymous.get(u.replace("http://testserver", "")).status_code == 200]
    assert len(working) == 1
    with app.state.database.session() as db:
        live = db.scalar(
            select(func.count()).where(
                CalendarFeedToken.patient_id == world.patients["a1"], CalendarFeedToken.revoked_at.is_(None)
            )
        )
    assert live == 1
