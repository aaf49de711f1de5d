"""Crash drill: ``kill -9`` of a uvicorn web process during 100 concurrent writes, then a restart.

Every write the server acknowledged (201 with an id) is there after the restart, no record is partial
(each prescription has exactly its one audit entry, and no audit entry names a missing one), the audit
chain verifies, no chair is double-booked, and on SQLite the file passes ``PRAGMA integrity_check``.
Runs on SQLite and PostgreSQL; marked slow (it starts real server processes).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import aliased

from msinfusion.db import Database
from msinfusion.db.audit import verify
from msinfusion.db.models import Appointment, AuditEvent, Prescription
from msinfusion.settings import Settings
from tests.web.web_world import FAST, PASSWORD, World, build_world

pytestmark = pytest.mark.slow

WRITES = 100
KILL_AFTER_ACKS = 25


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(url: str, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url}
    env.update({f"MSINFUSION_{k.upper()}": str(v) for k, v in FAST.items()})
    env["MSINFUSION_ENVIRONMENT"] = "development"  # plain-HTTP cookies: the drill talks to 127.0.0.1 without TLS
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "msinfusion.web.app:create_app", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the server did not start")


def _signed_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=True)
    page = client.get("/login").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert token
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    staff = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/staff").text)
    assert staff
    client.headers["X-CSRF-Token"] = staff.group(1)
    return client


def test_kill_9_during_100_writes_loses_no_acknowledged_write_and_leaves_no_partial_record(
    settings: Settings, tmp_path: Path
) -> None:
    database = Database.connect(settings.database_url)
    world = build_world(database, settings, now=datetime.now(UTC))  # the server runs on the real clock
    database.dispose()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start(settings.database_url, port, tmp_path)
    try:
        _drill(settings, world, base, port, server, tmp_path)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)


def _drill(
    settings: Settings, world: World, base: str, port: int, server: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    acknowledged: list[int] = []
    errors: list[int] = []
    lock = threading.Lock()
    start = (datetime.now(UTC).date() + timedelta(days=7)).isoformat()
    patients = list(world.patients.values())[:2]  # center A's patients
    clients = [_signed_in(base, "scheduler_a") for _ in range(10)]

    def write(number: int) -> None:
        client = clients[number % len(clients)]
        url = f"/api/patients/{patients[number % 2]}/prescriptions"
        try:
            answer = client.post(url, json={"therapy_id": "ocrelizumab-iv", "start_date": start})
        except httpx.HTTPError:
            return  # no answer: the write may or may not be there
        if answer.status_code == 201:
            with lock:
                acknowledged.append(int(answer.json()["id"]))
        else:
            errors.append(answer.status_code)

    def killer() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with lock:
                if len(acknowledged) >= KILL_AFTER_ACKS:
                    break
            time.sleep(0.005)
        os.kill(server.pid, signal.SIGKILL)

    watcher = threading.Thread(target=killer, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(write, range(WRITES)))
    for client in clients:
        client.close()
    watcher.join(30)
    assert not watcher.is_alive(), (len(acknowledged), errors)
    server.wait(10)
    assert server.returncode == -signal.SIGKILL
    assert all(code < 500 for code in errors), errors
    assert KILL_AFTER_ACKS <= len(acknowledged) < WRITES, (len(acknowledged), errors)  # the kill landed mid-way

    restarted = _start(settings.database_url, port, tmp_path)
    try:
        after = _signed_in(base, "scheduler_a")
        again = after.post(
            f"/api/patients/{patients[0]}/prescriptions", json={"therapy_id": "ocrelizumab-iv", "start_date": start}
        )
        assert again.status_code == 201  # the restarted server writes as before
        after.close()
    finally:
        restarted.terminate()
        restarted.wait(10)

    database = Database.connect(settings.database_url)
    try:
        with database.session() as db:
            stored = set(db.scalars(select(Prescription.id)))
            assert set(acknowledged) <= stored  # every acknowledged write survived
            audited = list(
                db.scalars(
                    select(AuditEvent.object_id).where(
                        AuditEvent.object_type == "prescription", AuditEvent.action == "create"
                    )
                )
            )
            new = {i for i in stored if i not in world.prescriptions.values()}
            assert sorted(str(a) for a in audited) == sorted(str(i) for i in new)  # one audit entry per record
            assert verify(db).intact
            other = aliased(Appointment)
            overlaps = db.scalar(
                select(func.count())
                .select_from(Appointment)
                .join(
                    other,
                    and_(
                        other.chair_id == Appointment.chair_id,
                        other.id > Appointment.id,
                        other.status != "cancelled",
                        other.starts_at < Appointment.ends_at,
                        Appointment.starts_at < other.ends_at,
                    ),
                )
                .where(Appointment.status != "cancelled")
            )
            assert overlaps == 0
            if database.dialect == "sqlite":
                assert db.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        print(f"\ncrash drill ({database.dialect}): {len(acknowledged)} acknowledged, {len(new) - 1} stored")
    finally:
        database.dispose()
