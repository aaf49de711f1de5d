"""`msinfusion serve`: migrates, loads demo data only into an empty database, then runs uvicorn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import func, select

from msinfusion.cli import main
from msinfusion.db import Database
from msinfusion.db.models import Appointment, Patient, User


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Run `serve` against a temporary SQLite file, capturing what would be handed to uvicorn."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # `serve` exports its options for the workers
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    for name, value in (("ARGON2_TIME_COST", "1"), ("ARGON2_MEMORY_KIB", "256"), ("ARGON2_PARALLELISM", "1")):
        monkeypatch.setenv(f"MSINFUSION_{name}", value)
    calls: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.update(app=app, **kwargs))
    return calls


def _count(url: str, model: type) -> int:
    database = Database.connect(url)
    with database.session() as db:
        value = db.scalar(select(func.count()).select_from(model)) or 0
    database.dispose()
    return value


def test_serve_uses_the_host_and_port_given(served: dict[str, Any], tmp_path: Path) -> None:
    assert main(["serve", "--host", "127.0.0.2", "--port", "8123"]) == 0
    assert served["host"] == "127.0.0.2" and served["port"] == 8123
    assert _count(f"sqlite:///{tmp_path / 'serve.sqlite3'}", User) == 0  # migrated, no demo data


def test_serve_demo_fills_an_empty_database_once(
    served: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    assert main(["serve", "--demo"]) == 0
    assert "patient01" in capsys.readouterr().err
    assert _count(url, Patient) == 40
    assert _count(url, User) == 43
    assert _count(url, Appointment) > 20
    assert main(["serve", "--demo"]) == 0
    assert "already has data" in capsys.readouterr().err
    assert _count(url, Patient) == 40
    assert served["host"] == "127.0.0.1" and served["port"] == 8000


def test_serve_refuses_production_with_the_development_secret(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MSINFUSION_ENVIRONMENT", "production")
    assert main(["serve"]) == 2
    assert "MSINFUSION_SECRET_KEY" in capsys.readouterr().err
    assert served == {}


def test_serve_rejects_a_bad_port(served: dict[str, Any]) -> None:
    assert main(["serve", "--port", "70000"]) == 2


def test_serve_hands_uvicorn_an_import_string_factory_not_an_app(served: dict[str, Any]) -> None:
    assert main(["serve"]) == 0
    assert served["app"] == "msinfusion.web.app:create_app" and served["factory"] is True


def test_serve_names_a_setting_with_a_bad_value_in_one_line(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MSINFUSION_ENVIRONMENT", "staging")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip()
    assert "environment" in err and "Traceback" not in err and len(err.splitlines()) == 1


def test_the_cli_never_imports_the_web_layer() -> None:
    code = "import sys, msinfusion.cli; print(any(m.startswith('msinfusion.web') for m in sys.modules))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )


def test_serve_runs_several_workers_with_the_app_reading_proxy_headers_itself(served: dict[str, Any]) -> None:
    assert main(["serve", "--workers", "3", "--proxy-headers", "--forwarded-allow-ips", "10.0.0.0/8"]) == 0
    assert served["workers"] == 3
    assert served["proxy_headers"] is False  # uvicorn must not rewrite them first; the app trusts only the list
    # the workers build the app from the environment, so the options reach them there
    assert os.environ["MSINFUSION_PROXY_HEADERS"] == "true"
    assert os.environ["MSINFUSION_FORWARDED_ALLOW_IPS"] == "10.0.0.0/8"
    assert os.environ["MSINFUSION_WEB_WORKERS"] == "3"


def test_serve_hands_the_certificate_and_key_to_uvicorn(served: dict[str, Any], tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("certificate", encoding="utf-8")
    key.write_text("key", encoding="utf-8")
    assert main(["serve", "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)]) == 0
    assert served["ssl_certfile"] == str(cert) and served["ssl_keyfile"] == str(key)
    assert os.environ["MSINFUSION_SSL_CERTFILE"] == str(cert)


def test_serve_names_a_missing_certificate_in_one_line(
    served: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--ssl-certfile", str(tmp_path / "no.pem"), "--ssl-keyfile", str(tmp_path / "no.key")]) == 2
    error = capsys.readouterr().err.strip()
    assert "no such file" in error and len(error.splitlines()) == 1
    assert served == {}


def test_serve_refuses_production_over_plain_http(
    served: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MSINFUSION_ENVIRONMENT", "production")
    monkeypatch.setenv("MSINFUSION_SECRET_KEY", "s" * 40)
    assert main(["serve"]) == 2
    assert "HTTPS" in capsys.readouterr().err
    assert served == {}
    assert main(["serve", "--proxy-headers"]) == 0
