"""The system under load: a throwaway demo database and the app under uvicorn, both on loopback only."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from msinfusion.db import Database, migrate, scratch
from msinfusion.db.demo import DemoSummary, load_demo
from msinfusion.db.schedule_models import ScheduleJob
from msinfusion.settings import Settings

HOST = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """The URL of an empty database: a temporary SQLite file, or a scratch PostgreSQL database (dropped after)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="msinfusion-load-") as directory:
            yield f"sqlite:///{directory}/load.sqlite3"
        return
    if backend != "postgres":
        raise ValueError(f"unknown backend {backend!r}")
    url = scratch.create_postgres_database(prefix="msinfusion_load")
    try:
        yield url
    finally:
        scratch.drop_postgres_database(url)


def fill(url: str) -> tuple[DemoSummary, date]:
    """Migrate the database at ``url``, load the demo center, accounts and patients, and return what was
    loaded with the day the demo scheduled (the first open day from today)."""
    settings = Settings(database_url=url)
    migrate(settings)
    database = Database.connect(url)
    try:
        summary = load_demo(database, settings)
        with database.read_session() as db:
            day = db.scalar(select(func.min(ScheduleJob.day)).where(ScheduleJob.status == "done"))
    finally:
        database.dispose()
    if day is None:
        raise RuntimeError("the demo data has no scheduled day")
    return summary, day


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(port: int, workers: int) -> list[str]:
    """uvicorn as a deployment would run it: no reload, no access log, ``workers`` processes."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "benchmarks.web_load.asgi:make_app",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        "5",
    ]


def server_environment(url: str) -> dict[str, str]:
    """The parent's environment without any msinfusion settings, plus the ones for this run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MSINFUSION_") and k != "DATABASE_URL"}
    env.update(
        {
            "DATABASE_URL": url,
            "MSINFUSION_SECRET_KEY": secrets.token_hex(32),
            # Plain HTTP on loopback: cookies without Secure (the only difference from production).
            "MSINFUSION_ENVIRONMENT": "development",
        }
    )
    return env


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(f"{base_url}/login", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"uvicorn did not answer on {base_url} within {timeout:g} s")


@contextmanager
def served(url: str, workers: int) -> Iterator[str]:
    """Run the app on a free loopback port in a uvicorn subprocess; yields its base URL, stops it after."""
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    process = subprocess.Popen(server_command(port, workers), cwd=REPO_ROOT, env=server_environment(url))
    try:
        _wait_until_up(base_url, process)
        yield base_url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
