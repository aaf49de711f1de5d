"""`msinfusion audit verify`: an intact trail prints its chain heads; a broken one names its first bad entry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from msinfusion.cli import main
from msinfusion.db import Database, audit, upgrade


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def audited(tmp_path: Path) -> str:
    """A migrated SQLite database with three audit entries."""
    url = f"sqlite:///{tmp_path / 'audited.sqlite3'}"
    database = Database.connect(url)
    upgrade(database.engine)
    for index in range(3):
        with database.session() as db:
            audit.record(db, at=datetime(2027, 3, 2, tzinfo=UTC), action="read", object_type="patient", object_id=index)
    database.dispose()
    return url


def test_an_intact_trail_prints_its_count_and_chain_heads(audited: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "audit", "verify", "--database-url", audited)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "audit chain intact: 3 entries in 1 chains"
    assert lines[1].startswith("chain 0 head ") and len(lines[1].split()[-1]) == 64


def test_an_edited_entry_exits_1_with_one_line_naming_it(audited: str, capsys: pytest.CaptureFixture[str]) -> None:
    database = Database.connect(audited)
    with database.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER audit_events_append_only_UPDATE"))
        connection.execute(text("UPDATE audit_events SET action = 'create' WHERE id = 2"))
    database.dispose()
    code, out, err = _run(capsys, "audit", "verify", "--database-url", audited)
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith("msinfusion: error: audit chain broken at entry 2: entry 2 does not match its hash")


def test_a_database_without_an_audit_trail_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "audit", "verify", "--database-url", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert code == 2 and "no audit trail in this database" in err
