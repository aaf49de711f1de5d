"""Two web processes and two job workers on PostgreSQL, as deployed (`msinfusion serve`, `msinfusion
worker` subprocesses): 20 optimizer runs over 5 days requested through the API, one worker killed with
``kill -9`` in the middle of a solve, schedules accepted meanwhile. Every run ends done or failed with a
reason, none is lost, each is solved once (the killed one: again, by the other worker), the day is not
blocked, and after a worker restart the stored schedule has no overlap and the audit chain verifies.

Run with ``-s`` to see the figures (recovery time of the killed run, runs done and failed).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from msinfusion.db import Database
from msinfusion.db.demo import DEMO_PASSWORD
from msinfusion.db.models import Appointment
from msinfusion.db.schedule_models import ScheduleJob

RECOVERY_WAIT = 90
"""Seconds the test waits for a killed worker's run to be retried or failed (measured: about 18 s; the
stalled-job check needs 15-20 s, then a free worker slot)."""

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.alone]

BIN = Path(sys.executable).parent
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
STARTED = re.compile(r"schedule run (\d+) started")
ROUNDS, DAYS = 4, 5
BOUND_SECONDS = 300


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Processes:
    """The subprocesses of one test: started with their logs in files, always ended (kill -9 if need be)."""

    def __init__(self, folder: Path, env: dict[str, str]):
        self.folder, self.env = folder, env
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.folder / f"{name}.log").open("ab") as log:  # the child keeps its own copy
            process = subprocess.Popen([str(BIN / "msinfusion"), *args], env=self.env, stdout=log, stderr=log)
        self.started[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def stop_all(self) -> None:
        for process in self.started.values():
            if process.poll() is None:
                process.terminate()
        for process in self.started.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the web process exited"
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def _scheduler(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    token = CSRF.search(client.get("/login").text)
    assert token
    signed = client.post(
        "/login", data={"username": "scheduler", "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    )
    assert signed.status_code in (200, 303), signed.text
    page = CSRF.search(client.get("/staff/schedule").text)
    assert page
    client.headers["X-CSRF-Token"] = page.group(1)
    return client


@pytest.fixture
def deployment(postgres_url: str, database: Database, tmp_path: Path) -> Iterator[tuple[Processes, list[str]]]:
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url,
        "MSINFUSION_SECRET_KEY": "end-to-end-test-secret",
        "MSINFUSION_ARGON2_TIME_COST": "1",
        "MSINFUSION_ARGON2_MEMORY_KIB": "256",
        "MSINFUSION_ARGON2_PARALLELISM": "1",
        "MSINFUSION_SOLVER_TIME_LIMIT_SECONDS": "3",
        "MSINFUSION_SOLVER_WORKERS": "1",
        "MSINFUSION_WORKER_CONCURRENCY": "1",
    }
    processes = Processes(tmp_path, env)
    urls = []
    try:
        for index in range(2):
            port = _free_port()
            web = processes.start(f"web{index}", "serve", "--port", str(port), *(["--demo"] if index == 0 else []))
            urls.append(f"http://127.0.0.1:{port}")
            _wait_until_serving(urls[-1], web)
        processes.start("worker0", "worker", "--name", "worker0")
        processes.start("worker1", "worker", "--name", "worker1")
        yield processes, urls
    finally:
        processes.stop_all()


def _busiest_days(database: Database, count: int) -> list[date]:
    with database.read_session() as db:
        rows = db.execute(
            select(Appointment.day)
            .where(Appointment.status == "booked", Appointment.day > date.today())  # noqa: DTZ011 - the demo's days
            .group_by(Appointment.day)
            .order_by(text("count(*) DESC"), Appointment.day)
            .limit(count)
        ).scalars()
        return list(rows)


def _runs(database: Database) -> dict[int, ScheduleJob]:
    with database.read_session() as db:
        jobs = db.scalars(select(ScheduleJob)).all()
        for job in jobs:
            db.expunge(job)
        return {job.id: job for job in jobs}


def _starts(processes: Processes) -> tuple[Counter[int], dict[str, set[int]]]:
    by_worker = {name: {int(i) for i in STARTED.findall(processes.log(name))} for name in ("worker0", "worker1")}
    counts: Counter[int] = Counter()
    for name in ("worker0", "worker1"):
        counts.update(int(i) for i in STARTED.findall(processes.log(name)))
    return counts, by_worker


def _accept(client: httpx.Client, run_id: int, version: int) -> int:
    page = CSRF.search(client.get("/staff/schedule").text)
    assert page
    answer = client.post(
        "/staff/schedule/accept", data={"job_id": run_id, "version": version, "csrf_token": page.group(1)}
    )
    return answer.status_code


def test_twenty_runs_on_two_web_processes_and_two_workers_survive_a_kill_9(
    deployment: tuple[Processes, list[str]], database: Database
) -> None:
    processes, urls = deployment
    clients = [_scheduler(url) for url in urls]
    try:
        _twenty_runs(processes, clients, database)
    finally:
        for client in clients:
            client.close()


def _twenty_runs(processes: Processes, clients: list[httpx.Client], database: Database) -> None:
    days = _busiest_days(database, DAYS)
    assert len(days) == DAYS
    began = time.monotonic()
    requested: list[int] = []
    killed_run: int | None = None
    recovery: float | None = None
    accepts: Counter[int] = Counter()
    with ThreadPoolExecutor(4) as pool:
        for round_ in range(ROUNDS):
            for index, day in enumerate(days):
                answer = clients[index % 2].post("/api/schedule/runs", json={"day": day.isoformat()})
                assert answer.status_code == 202, answer.text  # the previous run of the day has ended
                requested.append(int(answer.json()["id"]))
            if round_ == 1:  # kill -9 the worker solving one of this round's runs, mid-solve
                killed_run, recovery = _kill_a_worker_mid_solve(processes, database, set(requested[-DAYS:]))
            _wait_for_round(database, requested[-DAYS:], began)
            # Concurrent writes: accept this round's schedules from both web processes at once.
            finished = _runs(database)
            futures = [
                pool.submit(_accept, clients[i % 2], run_id, finished[run_id].version)
                for i, run_id in enumerate(requested[-DAYS:])
                if finished[run_id].status == "done"
            ]
            accepts.update(future.result() for future in futures)

    runs = _runs(database)
    statuses = Counter(runs[run_id].status for run_id in requested)
    starts, _ = _starts(processes)
    assert len(requested) == ROUNDS * DAYS == len(set(requested) & set(runs))  # the demo has a run of its own
    assert set(statuses) <= {"done", "failed"}, statuses
    assert all(runs[r].error for r in requested if runs[r].status == "failed")
    assert killed_run is not None and recovery is not None and recovery <= 30
    for run_id in requested:  # each solved once; the killed one once more, by the other worker
        assert starts[run_id] == (2 if run_id == killed_run else 1), (run_id, starts[run_id])
    assert set(accepts) <= {303, 409}, accepts

    # Crash drill (issue 11): the killed worker comes back; the stored schedule is sound.
    processes.start("worker0-restarted", "worker", "--name", "worker0-restarted")
    answer = clients[0].post("/api/schedule/runs", json={"day": days[0].isoformat()})
    assert answer.status_code == 202
    _wait_for_round(database, [int(answer.json()["id"])], time.monotonic())
    overlaps = _overlaps(database)
    verify = subprocess.run(
        [str(BIN / "msinfusion"), "audit", "verify"], env=processes.env, capture_output=True, text=True, timeout=120
    )
    print(
        f"\n[jobs e2e] 2 web + 2 workers, {len(requested)} runs over {DAYS} days: "
        f"{statuses['done']} done, {statuses['failed']} failed, 0 lost; "
        f"run {killed_run} recovered {recovery:.1f} s after kill -9; "
        f"accepts {dict(accepts)}; all in {time.monotonic() - began:.1f} s; "
        f"overlaps {overlaps}; audit verify exit {verify.returncode}"
    )
    assert overlaps == 0
    assert verify.returncode == 0, verify.stdout + verify.stderr


def _kill_a_worker_mid_solve(processes: Processes, database: Database, runs: set[int]) -> tuple[int, float]:
    """kill -9 the first worker seen solving one of ``runs``; seconds until another starts it again."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _, by_worker = _starts(processes)
        current = _runs(database)
        for name, started in by_worker.items():
            solving = [r for r in started & runs if current[r].status == "running"]
            if solving:
                run_id, first_start = solving[0], current[solving[0]].started_at
                os.kill(processes.started[name].pid, signal.SIGKILL)
                processes.started[name].wait(10)
                killed_at = time.monotonic()
                while time.monotonic() < killed_at + RECOVERY_WAIT:
                    now = _runs(database)[run_id]
                    if now.status == "failed" or (now.started_at != first_start and now.status != "queued"):
                        return run_id, time.monotonic() - killed_at
                    time.sleep(0.2)
                raise AssertionError(f"run {run_id} was neither retried nor failed {RECOVERY_WAIT} s after kill -9")
        time.sleep(0.1)
    raise AssertionError("no worker was seen solving")


def _wait_for_round(database: Database, run_ids: list[int], began: float) -> None:
    while True:
        current = _runs(database)
        if all(current[r].status in ("done", "failed") for r in run_ids):
            return
        assert time.monotonic() - began < BOUND_SECONDS, {r: current[r].status for r in run_ids}
        time.sleep(0.3)


def _overlaps(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT count(*) FROM appointments a JOIN appointments b ON a.chair_id = b.chair_id "
                    "AND a.id < b.id AND a.status <> 'cancelled' AND b.status <> 'cancelled' "
                    "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at"
                )
            )
            or 0
        )
