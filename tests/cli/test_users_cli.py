"""`msinfusion users`: the first admin from the command line, then invite, reset, disable, unlock, list."""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from msinfusion.cli import main
from msinfusion.db import Database
from msinfusion.db.account_models import PasswordLink
from msinfusion.db.models import AuditEvent, Center, User

PASSWORD = "first-admin-long-password"


@pytest.fixture
def url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "environ", dict(os.environ))
    database_url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MSINFUSION_PUBLIC_URL", "https://infusion.example.org")
    for name, value in (("ARGON2_TIME_COST", "1"), ("ARGON2_MEMORY_KIB", "256"), ("ARGON2_PARALLELISM", "1")):
        monkeypatch.setenv(f"MSINFUSION_{name}", value)
    return database_url


def _first_admin(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return main(["users", "create", "ada", "--name", "Ada Admin", "--role", "admin", "--center", "North Clinic",
                 "--timezone", "America/Chicago", "--password-stdin"])  # fmt: skip


def _users(url: str) -> dict[str, User]:
    database = Database.connect(url)
    with database.session() as db:
        users = {user.username: user for user in db.scalars(select(User))}
    database.dispose()
    return users


def test_the_first_admin_is_created_with_a_new_center(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _first_admin(monkeypatch) == 0
    assert "created admin ada at North Clinic" in capsys.readouterr().out
    admin = _users(url)["ada"]
    assert admin.role == "admin" and admin.password_hash.startswith("$argon2id$")
    database = Database.connect(url)
    with database.session() as db:
        assert db.scalar(select(Center.timezone).where(Center.name == "North Clinic")) == "America/Chicago"
        events = db.scalars(select(AuditEvent).where(AuditEvent.object_type == "user")).all()
        assert [(e.action, e.object_id, e.actor_user_id) for e in events] == [("create", str(admin.id), None)]
    database.dispose()


def test_an_invitation_prints_a_one_time_link_whose_hash_alone_is_stored(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_admin(monkeypatch)
    assert main(["users", "invite", "nina", "--name", "Nina Nurse", "--role", "nurse", "--center", "North Clinic"]) == 0
    out = capsys.readouterr().out
    match = re.search(r"https://infusion\.example\.org/set-password/(\S+)", out)
    assert match, out
    database = Database.connect(url)
    with database.session() as db:
        link = db.scalar(select(PasswordLink))
        assert link is not None and link.token_hash == hashlib.sha256(match.group(1).encode()).hexdigest()
        assert link.purpose == "invite"
    database.dispose()
    assert _users(url)["nina"].password_hash == "!"  # no password until the link is used


def test_reset_disable_and_unlock_change_the_account(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _first_admin(monkeypatch)
    main(["users", "invite", "nina", "--name", "Nina Nurse", "--role", "nurse", "--center", "North Clinic"])
    assert main(["users", "reset", "nina"]) == 0
    assert "set-password/" in capsys.readouterr().out
    assert main(["users", "disable", "nina"]) == 0
    assert not _users(url)["nina"].is_active
    assert main(["users", "unlock", "ada"]) == 0
    assert main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "nina" in listing and "disabled" in listing and "ada" in listing


def test_enable_lets_a_disabled_account_sign_in_again_and_is_audited(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from msinfusion import passwords
    from msinfusion.settings import load_settings

    _first_admin(monkeypatch)
    assert main(["users", "disable", "ada"]) == 0
    assert not _users(url)["ada"].is_active
    assert main(["users", "enable", "ada"]) == 0
    assert "enabled ada" in capsys.readouterr().out
    ada = _users(url)["ada"]
    assert ada.is_active
    assert passwords.verify(passwords.make_hasher(load_settings()), ada.password_hash, PASSWORD)
    assert main(["users", "enable", "ada"]) == 0
    assert "already enabled" in capsys.readouterr().out
    database = Database.connect(url)
    with database.session() as db:
        actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "user")).all()
    database.dispose()
    assert actions.count("enable") == 1 and actions.count("disable") == 1
    assert main(["users", "enable", "nobody"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["users", "reset", "nobody"], "no account called"),
        (["users", "invite", "x", "--name", "X", "--role", "nurse", "--center", "North Clinic"], "3 to 64"),
        (["users", "invite", "sam", "--name", "Sam", "--role", "chef", "--center", "North Clinic"], "role must be"),
        (["users", "invite", "sam", "--name", "Sam", "--role", "nurse", "--center", "Elsewhere"], "no center called"),
        (["users", "invite", "ada", "--name", "Ada", "--role", "nurse", "--center", "North Clinic"], "is taken"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    _first_admin(monkeypatch)
    capsys.readouterr()
    assert main(args) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1


def test_a_weak_first_password_is_refused(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    args = ["users", "create", "ada", "--name", "Ada", "--role", "admin", "--center", "C", "--timezone", "UTC"]
    assert main([*args, "--password-stdin"]) == 2


def test_reset_mfa_removes_the_key_and_recovery_codes(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from msinfusion.db import mfa as mfa_store

    _first_admin(monkeypatch)
    database = Database.connect(url)
    ada = _users(url)["ada"]
    with database.session() as db:
        mfa_store.start_enrolment(db, ada.id, datetime.now(UTC), "dev-only-change-me")
    assert main(["users", "reset-mfa", "ada"]) == 0
    with database.session() as db:
        assert mfa_store.factor(db, ada.id) is None
    database.dispose()
    assert "removed the second factor of ada" in capsys.readouterr().out
