"""`msinfusion backup` / `restore`: a round trip through the command line, and one line for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from msinfusion.cli import main
from msinfusion.db import Database, upgrade


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def migrated(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    database = Database.connect(url)
    upgrade(database.engine)
    database.dispose()
    return url


def test_backup_then_restore_into_a_new_file_reports_matching_figures(
    migrated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nightly.backup"
    code, stdout, _ = _run(capsys, "backup", str(out), "--database-url", migrated)
    assert code == 0 and "audit chain intact" in stdout
    assert out.is_file() and (tmp_path / "nightly.backup.manifest.json").is_file()

    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    code, stdout, _ = _run(capsys, "restore", str(out), "--database-url", target)
    assert code == 0 and "matches its manifest" in stdout


def test_restore_over_a_database_with_rows_without_force_exits_2_with_one_line(
    migrated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "copy.backup"
    assert _run(capsys, "backup", str(out), "--database-url", migrated)[0] == 0
    database = Database.connect(migrated)
    with database.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO centers (name, timezone, max_patients_per_nurse) VALUES ('C', 'UTC', 4)"
        )
    database.dispose()
    code, stdout, err = _run(capsys, "restore", str(out), "--database-url", migrated)
    assert (code, stdout) == (2, "")
    assert err.strip().splitlines() == [err.strip()]
    assert "already holds data; pass --force" in err
    assert _run(capsys, "restore", str(out), "--database-url", migrated, "--force")[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["restore", "{tmp}/missing.backup"], "no backup file at"),
        (["restore", "{tmp}/junk.backup"], "neither a SQLite database nor a pg_dump"),
        (["backup", "{tmp}/junk.backup"], "already exists"),
        (["backup", "{tmp}/no/such/folder/x.backup"], "does not exist"),
        (["backup", "{tmp}/x.backup", "--database-url", "mysql://db/x"], "sqlite and postgresql URLs"),
        (["backup", "{tmp}/x.backup", "--database-url", "sqlite:///{tmp}/absent.sqlite3"], "no SQLite database"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    migrated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    (tmp_path / "junk.backup").write_text("not a backup")
    argv = [part.replace("{tmp}", str(tmp_path)) for part in args]
    if "--database-url" not in argv:
        argv += ["--database-url", migrated]
    code, stdout, err = _run(capsys, *argv)
    assert (code, stdout) == (2, "")
    assert err.strip().splitlines() == [err.strip()]
    assert message in err
