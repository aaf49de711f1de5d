"""The day schedule: runs in the background with progress, one run per day at a time, lost runs shown
as failed, accepting writes chairs and starts in one transaction (a conflict is a 409), moves are checked.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from msinfusion import scheduling
from msinfusion.db.day_schedule.runs import STALE_ERROR, expire_stale
from msinfusion.db.models import Appointment, Chair, Nurse, NurseShift, Patient, User
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.scheduling.model import Progress
from msinfusion.settings import Settings
from msinfusion.web import create_app
from tests.web.web_world import FAST, FakeClock, TestClient, World, build_world, csrf_token, sign_in

DAY = date(2027, 3, 8)  # a Monday: the world's centers open 07:00-19:00 on Mondays


def add_nurses(app: FastAPI, world: World, center: str = "a") -> None:
    with app.state.database.session() as db:
        for code, starts, ends in (("N1", time(7), time(15)), ("N2", time(11), time(19))):
            nurse = Nurse(center_id=world.centers[center], code=code, name=f"Nurse {code}")
            db.add(nurse)
            db.flush()
            db.add(NurseShift(nurse_id=nurse.id, weekday=0, starts=starts, ends=ends))


def make_app(database_url: str, clock: FakeClock) -> FastAPI:
    return create_app(Settings(database_url=database_url, solver_time_limit_seconds=1, **FAST), clock=clock)


@pytest.fixture
def app(settings_sqlite: Settings, clock: FakeClock) -> FastAPI:
    return make_app(settings_sqlite.database_url, clock)


@pytest.fixture
def staffed(app: FastAPI, world: World) -> World:
    add_nurses(app, world)
    return world


def signed_in(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    assert sign_in(client, username).status_code == 303
    return client


def post(client: TestClient, url: str, **data: Any) -> Any:
    token = csrf_token(client, "/staff")
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def run_and_wait(app: FastAPI, client: TestClient, day: date = DAY) -> int:
    response = post(client, "/staff/schedule/run", day=day.isoformat())
    assert response.status_code == 303, response.text
    status = client.get(f"/api/schedule/status?day={day}").json()
    app.state.schedule_runner.wait(status["id"])
    return int(status["id"])


@pytest.fixture
def held_solver(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The solver waits until the test sets the event, so a run stays 'running' as long as needed."""
    release = threading.Event()
    real = scheduling.solve

    def slow_solve(day: Any, **options: Any) -> Any:
        assert release.wait(10)
        return real(day, **options)

    monkeypatch.setattr("msinfusion.db.day_schedule.runs.solve", slow_solve)
    yield release
    release.set()


def test_a_run_answers_at_once_and_reports_progress_until_the_schedule_is_shown(
    app: FastAPI, staffed: World, held_solver: threading.Event
) -> None:
    client = signed_in(app, "scheduler_a")
    response = post(client, "/staff/schedule/run", day=DAY.isoformat())
    assert response.status_code == 303  # answered while the solver is still held
    page = client.get(response.headers["location"])
    assert "The optimizer is running" in page.text
    assert 'data-status-url="/api/schedule/status?day=2027-03-08"' in page.text
    status = client.get(f"/api/schedule/status?day={DAY}").json()
    assert status["status"] in ("queued", "running") and status["appointments"] == 2
    held_solver.set()
    app.state.schedule_runner.wait(status["id"])
    done = client.get(f"/api/schedule/status?day={DAY}").json()
    assert done["status"] == "done" and done["scheduled"] == 2 and done["percent"] == 100
    page = client.get(f"/staff/schedule?day={DAY}")
    assert "Proposed schedule" in page.text and 'role="img"' in page.text
    # Patients by name and reference, treatments by name and dose, in the chart as in the table; no codes.
    chart = page.text[page.text.index('<svg class="chart" id="chairs"') : page.text.index("</svg>")]
    assert "(PA1)" in chart and "Ocrelizumab IV 300 mg" in chart, chart
    assert "ocrelizumab-300" not in page.text
    schedule = client.get(f"/api/schedule?day={DAY}").json()
    assert schedule["format"] == "msinfusion.schedule/1" and len(schedule["assignments"]) == 2


def test_two_schedulers_pressing_run_together_get_one_run(
    app: FastAPI, staffed: World, held_solver: threading.Event
) -> None:
    first, second = signed_in(app, "scheduler_a"), signed_in(app, "admin_a")
    assert "notice=queued" in post(first, "/staff/schedule/run", day=DAY.isoformat()).headers["location"]
    assert "already-running" in post(second, "/staff/schedule/run", day=DAY.isoformat()).headers["location"]
    token = csrf_token(second, "/staff")
    api = second.post("/api/schedule/runs", json={"day": DAY.isoformat()}, headers={"X-CSRF-Token": token})
    assert api.status_code == 200
    with app.state.database.session() as db:
        assert db.scalar(select(func.count()).select_from(ScheduleJob)) == 1


def test_a_run_lost_in_a_restart_shows_as_failed_and_frees_the_day(
    app: FastAPI, staffed: World, clock: FakeClock
) -> None:
    with app.state.database.session() as db:
        db.add(
            ScheduleJob(
                center_id=staffed.centers["a"],
                day=DAY,
                status="running",
                requested_by=staffed.users["scheduler_a"],
                created_at=clock(),
                started_at=clock(),
                deadline_at=clock() + timedelta(minutes=2),
                time_limit_seconds=1,
                day_input={},
                appointment_versions={},
                possible_priority=2,
                moves=0,
            )
        )
    client = signed_in(app, "scheduler_a")
    assert client.get(f"/api/schedule/status?day={DAY}").json()["status"] == "running"
    clock.advance(minutes=5)
    client = signed_in(app, "scheduler_a")
    status = client.get(f"/api/schedule/status?day={DAY}").json()
    assert status["status"] == "failed" and status["stale"] and "restarted" in status["error"]
    assert "did not finish" in client.get(f"/staff/schedule?day={DAY}").text
    job_id = run_and_wait(app, client)
    assert client.get(f"/api/schedule/status?day={DAY}").json() == client.get(f"/api/schedule/status?day={DAY}").json()
    with app.state.database.session() as db:
        assert db.get_one(ScheduleJob, job_id).status == "done"
        assert db.scalars(select(ScheduleJob.status).order_by(ScheduleJob.id)).all() == ["failed", "done"]


def test_accepting_writes_each_chair_and_start_to_the_appointments(app: FastAPI, staffed: World) -> None:
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    response = post(client, "/staff/schedule/accept", job_id=job_id)
    assert response.status_code == 303 and "accepted" in response.headers["location"]
    with app.state.database.session() as db:
        rows = db.scalars(select(Appointment).where(Appointment.center_id == staffed.centers["a"])).all()
        assert all(r.chair_id is not None and r.starts_at is not None and r.ends_at is not None for r in rows)
        assert db.get_one(ScheduleJob, job_id).accepted_at is not None
    again = post(client, "/staff/schedule/accept", job_id=job_id)
    assert again.status_code == 409 and "already accepted" in again.text


def test_a_nurse_sees_the_schedule_but_cannot_run_or_accept(app: FastAPI, staffed: World) -> None:
    scheduler = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, scheduler)
    nurse = signed_in(app, "nurse_a")
    page = nurse.get(f"/staff/schedule?day={DAY}")
    assert page.status_code == 200 and "Proposed schedule" in page.text
    assert "Run the optimizer" not in page.text and "Accept this schedule" not in page.text
    assert post(nurse, "/staff/schedule/accept", job_id=job_id).status_code == 403


def test_a_run_of_another_center_cannot_be_accepted_or_changed(app: FastAPI, staffed: World) -> None:
    job_id = run_and_wait(app, signed_in(app, "scheduler_a"))
    outsider = signed_in(app, "scheduler_b")
    assert post(outsider, "/staff/schedule/accept", job_id=job_id).status_code == 404
    moved = post(outsider, "/staff/schedule/move", job_id=job_id, appointment="A1", chair="C01", start="09:00")
    assert moved.status_code == 404
    assert outsider.get(f"/api/schedule/status?day={DAY}").status_code == 404  # B has no run that day


def _first_assignment(client: TestClient) -> dict[str, Any]:
    assignments: list[dict[str, Any]] = client.get(f"/api/schedule?day={DAY}").json()["assignments"]
    return assignments[0]


def test_a_move_that_keeps_the_rules_is_kept_and_must_be_accepted_again(app: FastAPI, staffed: World) -> None:
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    assert post(client, "/staff/schedule/accept", job_id=job_id).status_code == 303
    visit = _first_assignment(client)
    chair = "C02" if visit["chair"] == "C01" else "C01"
    response = post(
        client, "/staff/schedule/move", job_id=job_id, appointment=visit["appointment"], chair=chair, start="14:00"
    )
    assert response.status_code == 303, response.text
    moved = next(
        a
        for a in client.get(f"/api/schedule?day={DAY}").json()["assignments"]
        if a["appointment"] == visit["appointment"]
    )
    assert (moved["chair"], moved["start"]) == (chair, "14:00")
    page = client.get(f"/staff/schedule?day={DAY}")
    assert "Accept this schedule" in page.text  # the move is not on the appointments until accepted again
    assert post(client, "/staff/schedule/accept", job_id=job_id).status_code == 303
    with app.state.database.session() as db:
        row = db.get_one(Appointment, int(visit["appointment"][1:]))
        assert row.chair is not None and row.chair.code == chair
        assert row.starts_at == datetime(2027, 3, 8, 19, 0, tzinfo=UTC)  # 14:00 in New York (EST)


def test_a_move_that_breaks_a_rule_is_refused_with_the_reasons(app: FastAPI, staffed: World) -> None:
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    before = client.get(f"/api/schedule?day={DAY}").json()
    visit = _first_assignment(client)
    late = post(
        client, "/staff/schedule/move", job_id=job_id, appointment=visit["appointment"], chair="C01", start="18:00"
    )
    assert late.status_code == 422
    assert "breaks the day&#39;s rules" in late.text and "after 19:00" in late.text
    nonsense = post(
        client, "/staff/schedule/move", job_id=job_id, appointment=visit["appointment"], chair="C01", start="9 am"
    )
    assert nonsense.status_code == 422 and "like 09:30" in nonsense.text
    assert client.get(f"/api/schedule?day={DAY}").json() == before


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_chair_taken_since_the_run_makes_accept_a_409_and_saves_nothing(
    backend: str, request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> None:
    url = request.getfixturevalue("settings_sqlite" if backend == "sqlite" else "pg_settings").database_url
    app = make_app(url, clock)
    world = build_world(app.state.database, app.state.settings)
    add_nurses(app, world)
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    visit = _first_assignment(client)
    start = datetime(2027, 3, 8, 5, tzinfo=UTC)  # midnight in New York: spans the whole day
    with app.state.database.session() as db:
        patient = db.scalar(select(Patient).where(Patient.reference == "PA1"))
        assert patient is not None
        db.add(
            Appointment(
                center_id=world.centers["a"],
                patient_id=patient.id,
                treatment="ocrelizumab-300",
                day=date(2027, 3, 7),
                chair_id=world.chairs[f"a-{visit['chair']}"],
                starts_at=start,
                ends_at=start + timedelta(hours=23),
            )
        )
    response = post(client, "/staff/schedule/accept", job_id=job_id)
    assert response.status_code == 409
    assert "Another booking now holds a chair" in response.text
    with app.state.database.session() as db:
        placed = db.scalars(select(Appointment).where(Appointment.day == DAY, Appointment.chair_id.is_not(None)))
        assert placed.all() == []
        assert db.get_one(ScheduleJob, job_id).accepted_at is None
    app.state.database.dispose()


def test_an_appointment_changed_since_the_run_makes_accept_a_409(app: FastAPI, staffed: World) -> None:
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    with app.state.database.session() as db:
        db.get_one(Appointment, staffed.appointments["a1"]).status = "cancelled"
    response = post(client, "/staff/schedule/accept", job_id=job_id)
    assert response.status_code == 409 and "changed after the optimizer ran" in response.text


def test_a_chair_gone_since_the_run_makes_accept_a_409_not_an_error(app: FastAPI, staffed: World) -> None:
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    visit = _first_assignment(client)
    with app.state.database.session() as db:
        db.get_one(Chair, staffed.chairs[f"a-{visit['chair']}"]).code = "C99"
    response = post(client, "/staff/schedule/accept", job_id=job_id)
    assert response.status_code == 409 and "is no longer at this center" in response.text


def test_a_closed_day_says_so_and_runs_nothing(app: FastAPI, staffed: World) -> None:
    client = signed_in(app, "scheduler_a")
    tuesday = DAY + timedelta(days=1)
    assert "is closed on Tuesday" in client.get(f"/staff/schedule?day={tuesday}").text
    assert post(client, "/staff/schedule/run", day=tuesday.isoformat()).status_code == 422
    token = csrf_token(client, "/staff")
    api = client.post("/api/schedule/runs", json={"day": tuesday.isoformat()}, headers={"X-CSRF-Token": token})
    assert api.status_code == 422 and api.headers["content-type"] == "application/problem+json"


def test_the_page_escapes_what_it_shows(app: FastAPI, staffed: World) -> None:
    with app.state.database.session() as db:
        patient = db.get_one(Patient, staffed.patients["a1"])
        patient.reference = "<b>x</b>"
    client = signed_in(app, "scheduler_a")
    run_and_wait(app, client)
    page = client.get(f"/staff/schedule?day={DAY}").text
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert not re.search(r"<script(?![^>]*src=\"/static/)", page)


def _wait_for_status(app: FastAPI, job_id: int, status: str) -> None:
    for _ in range(200):
        with app.state.database.session() as db:
            if db.get_one(ScheduleJob, job_id).status == status:
                return
        threading.Event().wait(0.05)
    raise AssertionError(f"run {job_id} never became {status}")


def test_a_run_stored_as_lost_is_never_flipped_back_to_done_by_its_late_result(
    app: FastAPI, staffed: World, clock: FakeClock, held_solver: threading.Event
) -> None:
    client = signed_in(app, "scheduler_a")
    post(client, "/staff/schedule/run", day=DAY.isoformat())
    job_id = client.get(f"/api/schedule/status?day={DAY}").json()["id"]
    _wait_for_status(app, job_id, "running")
    clock.advance(minutes=5)  # past its deadline: the next look stores it as lost and frees the day
    with app.state.database.session() as db:
        expire_stale(db, staffed.centers["a"], DAY, clock())
    held_solver.set()  # the solver now finishes, late
    app.state.schedule_runner.wait(job_id)
    with app.state.database.session() as db:
        job = db.get_one(ScheduleJob, job_id)
        assert job.status == "failed" and job.error == STALE_ERROR and job.result is None


def test_the_solvers_progress_is_written_by_the_worker_loop_while_it_runs(
    app: FastAPI, staffed: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, reported = threading.Event(), threading.Event()
    real = scheduling.solve

    def reporting_solve(day: Any, **options: Any) -> Any:
        options["on_progress"](Progress(phase=1, best_priority=7, bound=9, deviation=None, elapsed=0.4))
        reported.set()
        assert release.wait(10)
        return real(day, **options)

    monkeypatch.setattr("msinfusion.db.day_schedule.runs.solve", reporting_solve)
    client = signed_in(app, "scheduler_a")
    post(client, "/staff/schedule/run", day=DAY.isoformat())
    job_id = client.get(f"/api/schedule/status?day={DAY}").json()["id"]
    assert reported.wait(10)
    try:
        for _ in range(100):
            status = client.get(f"/api/schedule/status?day={DAY}").json()
            if status["best_priority"] == 7:
                break
            threading.Event().wait(0.05)
        assert status["status"] == "running" and status["best_priority"] == 7 and status["bound_priority"] == 9
    finally:
        release.set()
    app.state.schedule_runner.wait(job_id)
    assert client.get(f"/api/schedule/status?day={DAY}").json()["status"] == "done"


@pytest.mark.postgres
def test_on_postgresql_a_run_finds_its_own_row_for_the_final_write(pg_settings: Settings, clock: FakeClock) -> None:
    app = make_app(pg_settings.database_url, clock)
    world = build_world(app.state.database, app.state.settings)
    add_nurses(app, world)
    with TestClient(app, raise_server_exceptions=False) as client:  # the lifespan closes the pool at the end
        assert sign_in(client, "scheduler_a").status_code == 303
        job_id = run_and_wait(app, client)
        with app.state.database.session() as db:
            assert db.get_one(ScheduleJob, job_id).status == "done"


def test_the_schedule_names_patients_and_treatments_as_the_board_does(app: FastAPI, staffed: World) -> None:
    client = signed_in(app, "scheduler_a")
    run_and_wait(app, client)
    page = client.get(f"/staff/schedule?day={DAY}").text
    assert "Patient A1 (PA1)" in page and "Ocrelizumab IV 300 mg" in page
    table = page.split('id="assignments-caption"')[1].split("</table>")[0]
    assert "ocrelizumab-300" not in table
    board = client.get(f"/staff/board?day={DAY}").text
    assert "Patient A1" in board and "Ocrelizumab IV 300 mg" in board and "ocrelizumab-300" not in board


def test_the_schedule_page_names_patients_and_treatments_in_the_staff_members_language(
    app: FastAPI, staffed: World
) -> None:
    with app.state.database.session() as db:
        db.get_one(User, staffed.users["scheduler_a"]).locale = "es"
    client = signed_in(app, "scheduler_a")
    run_and_wait(app, client)
    page = client.get(f"/staff/schedule?day={DAY}").text
    assert '<html lang="es">' in page and "Horario propuesto" in page and "lunes, 8 de marzo de 2027" in page
    chart = page[page.index('<svg class="chart" id="chairs"') : page.index("</svg>")]
    assert "Sillones a lo largo del día" in chart
    assert "Patient A1 (PA1), Ocrelizumab IV 300 mg, sillón C0" in chart  # each bar's full name in words
    assert "Premedicación: líneas diagonales" in page and "Carga por enfermera" in page
    assert re.search(r"<option [^>]*>Patient A1 \(PA1\) · Ocrelizumab IV 300 mg · visita \w+ \(ahora C0", page)
    assert "ocrelizumab-300" not in page


@pytest.mark.parametrize("as_json", [False, True], ids=["page", "problem-json"])
def test_every_refused_move_or_accept_answers_the_same_way_as_a_page_or_as_problem_json(
    app: FastAPI, staffed: World, as_json: bool
) -> None:
    client = signed_in(app, "scheduler_a")
    job_id = run_and_wait(app, client)
    visit = _first_assignment(client)["appointment"]
    before = client.get(f"/api/schedule?day={DAY}").json()
    version = str(client.get(f"/api/schedule/status?day={DAY}").json().get("version", 1))
    headers = {"Accept": "application/problem+json"} if as_json else {}
    token = csrf_token(client, "/staff")

    def send(url: str, **data: Any) -> Any:
        return client.post(url, data={"csrf_token": token, **data}, headers=headers, follow_redirects=False)

    move = {"job_id": job_id, "appointment": visit, "chair": "C01"}
    refusals = [  # (answer, status, words said, what the form keeps)
        (send("/staff/schedule/move", **move, start="9 am"), 422, "like 09:30", "9 am"),
        (send("/staff/schedule/move", **move, start="23:30"), 422, "after midnight", "23:30"),
        (send("/staff/schedule/move", **move, start="18:00"), 422, "breaks the day", "18:00"),
        (send("/staff/schedule/move", **move, start="10:07", version=int(version) + 7), 409, "same moment", "10:07"),
        (send("/staff/schedule/accept", job_id=job_id, version=int(version) + 7), 409, "same moment", None),
    ]
    for response, status, words, kept in refusals:
        assert response.status_code == status, response.text
        if as_json:
            assert response.headers["content-type"] == "application/problem+json"
            body = response.json()
            assert body["status"] == status and words in body["detail"]
            assert body["current"]["job_id"] == job_id
        else:
            assert response.headers["content-type"].startswith("text/html")
            assert words in response.text.replace("&#39;", "'")
            assert kept is None or f'value="{kept}"' in response.text  # what was typed is still in the form
    if as_json:  # the rules a move breaks are listed, as the page lists them
        assert send("/staff/schedule/move", **move, start="18:00").json()["problems"]
    assert client.get(f"/api/schedule?day={DAY}").json() == before  # nothing was saved


@pytest.mark.parametrize("search", ["deterministic", "anytime"])
def test_the_optimizer_run_searches_as_the_schedule_search_setting_says(
    settings_sqlite: Settings, clock: FakeClock, world: World, monkeypatch: pytest.MonkeyPatch, search: str
) -> None:
    overrides: dict[str, Any] = {} if search == "deterministic" else {"schedule_search": search}
    app = create_app(
        Settings(database_url=settings_sqlite.database_url, solver_time_limit_seconds=1, **FAST, **overrides),
        clock=clock,
    )
    add_nurses(app, world)
    heard: list[object] = []
    real = scheduling.solve

    def recording_solve(day: Any, **options: Any) -> Any:
        heard.append(options.get("search"))
        return real(day, **options)

    monkeypatch.setattr("msinfusion.db.day_schedule.runs.solve", recording_solve)
    client = signed_in(app, "scheduler_a")
    run_and_wait(app, client)
    assert heard == [search]
    done = client.get(f"/api/schedule/status?day={DAY}").json()
    assert done["status"] == "done" and done["scheduled"] == 2
