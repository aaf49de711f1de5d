"""The web load harness: its table, its run summary, that it stays on loopback, and a 3-second run."""

from __future__ import annotations

import argparse

import pytest
from benchmarks.web_load import PAGES
from benchmarks.web_load.run import report, run_backend
from benchmarks.web_load.server import HOST, server_command, server_environment
from benchmarks.web_load.table import LoadRun, PageStats, SignIns, format_table


def page_stats(p95: float, failures: int = 0, target: float | None = 100.0) -> PageStats:
    return PageStats("patient plan", "/patient", 1200, failures, 20.0, 12.0, p95, p95 + 5, p95 + 40, target)


def test_a_page_meets_its_target_only_with_p95_below_it_and_no_failures() -> None:
    assert page_stats(99.0).verdict == "met (<100)"
    assert page_stats(100.0).verdict == "MISSED (<100)"
    assert page_stats(50.0, failures=1).verdict == "MISSED (<100)"
    assert page_stats(500.0, target=None).verdict == "-"


def test_the_table_has_a_title_a_header_and_one_row_per_page() -> None:
    text = format_table("sqlite: 50 users", [page_stats(42.0), page_stats(7.5, target=None)])
    title, header, *rows = text.splitlines()
    assert title == "sqlite: 50 users"
    assert header.split()[:5] == ["page", "path", "requests", "failures", "RPS"]
    assert len(rows) == 2
    assert "1200" in rows[0] and "42" in rows[0] and "met (<100)" in rows[0]
    assert "7.5" in rows[1] and rows[1].endswith("-")


def test_a_run_summary_survives_the_trip_through_json() -> None:
    run = LoadRun(4, 4, 3.0, SignIns(4, 0, 900.0, []), [page_stats(42.0)], [])
    assert LoadRun.from_json(run.to_json()) == run
    assert run.complete
    assert not LoadRun(4, 3, 3.0, run.sign_in, run.pages, []).complete


def test_the_server_is_production_like_and_on_loopback_only() -> None:
    command = server_command(8123, 2)
    assert command[command.index("--host") + 1] == HOST == "127.0.0.1"
    assert "--no-access-log" in command and "--reload" not in command
    assert command[command.index("--workers") + 1] == "2"
    env = server_environment("sqlite:///x.sqlite3")
    assert env["DATABASE_URL"] == "sqlite:///x.sqlite3" and len(env["MSINFUSION_SECRET_KEY"]) == 64


def test_every_page_has_a_role_that_can_sign_in() -> None:
    assert {page.role for page in PAGES} <= {"patient", "staff"}
    assert any(page.target_p95_ms == 100.0 for page in PAGES)


@pytest.mark.slow
def test_a_three_second_run_on_sqlite_measures_every_page(capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(users=2, seconds=3.0, workers=1, wait=0.2, warmup=1.0, spawn_rate=2.0, pages=None)
    run = run_backend("sqlite", args)
    assert run.signed_in == 2
    assert [page.page for page in run.pages] == [page.name for page in PAGES]
    assert all(page.requests > 0 and page.failures == 0 for page in run.pages)
    assert "patient plan" in capsys.readouterr().out
    assert "sign-in before measuring: 2 tried" in report("sqlite", run, args)


def test_pages_can_be_chosen_by_their_first_word() -> None:
    from benchmarks.web_load import chosen_pages

    assert [p.name for p in chosen_pages("patient")] == ["patient plan"]
    assert chosen_pages(None) == PAGES
    with pytest.raises(ValueError, match="choose from patient, day"):
        chosen_pages("board")
