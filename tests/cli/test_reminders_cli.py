"""`msinfusion reminders run|status`: one pass queues and sends what is due; exit codes say what happened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from msinfusion.cli import main
from msinfusion.db import Database, upgrade
from tests.outbox.conftest import build_world
from tests.outbox.mail_server import MailServer

DAY_BEFORE = "2027-01-03T11:00-05:00"


@pytest.fixture
def database_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """A migrated SQLite file with a patient whose visit is tomorrow at 11:00, named by DATABASE_URL."""
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    database = Database.connect(url)
    upgrade(database.engine)
    build_world(database)
    database.dispose()
    return url


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def run_once(server: MailServer, *extra: str) -> int:
    return main(["reminders", "run", "--once", "--smtp-port", str(server.port), "--now", DAY_BEFORE, *extra])


def test_one_pass_sends_the_due_reminder_and_exits_0(
    database_url: str, mail_server: MailServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_once(mail_server) == 0
    assert "queued 1, sent 1, retrying 0, failed 0" in capsys.readouterr().out
    assert run_once(mail_server) == 0
    assert "queued 0, sent 0" in capsys.readouterr().out
    assert len(mail_server.mailbox.received) == 1
    assert main(["reminders", "status"]) == 0
    out = capsys.readouterr().out
    assert "sent: 1" in out and "ana@example.org" in out and "reminder" in out


def test_the_mail_server_and_sender_come_from_the_settings_when_no_option_is_given(
    database_url: str, mail_server: MailServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MSINFUSION_SMTP_PORT", str(mail_server.port))
    monkeypatch.setenv("MSINFUSION_MAIL_SENDER", "Riverside <reminders@riverside.example>")
    assert main(["reminders", "run", "--once", "--now", DAY_BEFORE]) == 0
    assert "sent 1" in capsys.readouterr().out
    assert mail_server.mailbox.received[0]["From"] == "Riverside <reminders@riverside.example>"


def test_a_message_refused_for_good_makes_the_pass_exit_1_and_shows_in_the_status(
    database_url: str, mail_server: MailServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mail_server.mailbox.script = ["550 5.1.1 no such mailbox"]
    assert run_once(mail_server) == 1
    capsys.readouterr()
    assert main(["reminders", "status", "--state", "failed"]) == 0
    assert "550 5.1.1 no such mailbox" in capsys.readouterr().out


def test_an_unmigrated_database_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert main(["reminders", "status"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not at the newest schema" in err


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["reminders", "status", "--state", "lost"], "--state must be one of"),
        (["reminders", "run", "--once", "--now", "tomorrow"], "is not a date and time"),
        (["reminders", "run", "--once", "--now", "2027-01-03T11:00"], "needs a time zone"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    database_url: str, args: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and problem in err


def test_staff_add_an_address_and_the_next_run_sends_the_verification_e_mail(
    database_url: str, mail_server: MailServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["reminders", "email", "P001", "ana.new@example.org", "--reminder", "day-before", "--now", DAY_BEFORE]
    assert main(args) == 0
    assert "ana.new@example.org saved" in capsys.readouterr().out
    assert run_once(mail_server) == 0
    [message] = mail_server.mailbox.received  # the new address is not verified yet: no reminder, only the check
    assert message["To"] == "ana.new@example.org"
    assert message["Subject"] == "Please confirm your e-mail address"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["P999", "ana@example.org"], "no patient with reference 'P999'"),
        (["P001", "not-an-address"], "like name@example.com"),
        (["P001", "ana@example.org", "--reminder", "hourly"], "Unknown reminder: hourly"),
    ],
)
def test_adding_an_address_with_bad_input_exits_2_with_one_line(
    database_url: str, args: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reminders", "email", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and problem in err
