"""`msinfusion schedule DAY.json --current S.json --repair EVENTS.json | --add-on VISIT.json`: the live day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from msinfusion.cli import main
from msinfusion.scheduling import check_schedule, parse_day, parse_schedule, with_catalog_phases


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def running_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A demo day and its greedy schedule, as files."""
    code, out, _ = _run(capsys, "demo-day", "--chairs", "6", "--nurses", "2", "--appointments", "14", "--seed", "3")
    assert code == 0
    day = tmp_path / "day.json"
    day.write_text(out)
    code, out, _ = _run(capsys, "schedule", str(day), "--solver", "greedy")
    assert code == 0
    current = tmp_path / "current.json"
    current.write_text(out)
    return day, current


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


def _later(current: Path, after: str) -> str:
    schedule = parse_schedule(current.read_text())
    minutes = int(after[:2]) * 60 + int(after[3:])
    return next(a.appointment for a in sorted(schedule.assignments, key=lambda a: a.start) if a.start >= minutes)


def test_repair_writes_a_valid_schedule_and_reports_exactly_what_changes(
    running_day: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day, current = running_day
    absent = _later(current, "11:00")
    events = _write(
        tmp_path / "events.json",
        {"format": "msinfusion.events/1", "now": "11:00", "events": [{"kind": "no-show", "appointment": absent}]},
    )
    report = tmp_path / "report.json"
    code, out, err = _run(
        capsys, "schedule", str(day), "--current", str(current), "--repair", str(events), "--report", str(report)
    )
    assert code == 0
    repaired = parse_schedule(out)
    check_schedule(with_catalog_phases(parse_day(day.read_text())), repaired)
    assert absent in {u.appointment for u in repaired.unscheduled}
    data = json.loads(report.read_text())
    assert data["format"] == "msinfusion.replan/1" and data["kind"] == "repair"
    assert [c["appointment"] for c in data["changes"]] == [absent]
    assert f"{absent}: taken off the day" in err


def test_add_on_places_the_visit_and_lists_it(
    running_day: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day, current = running_day
    visit = _write(
        tmp_path / "visit.json",
        {"id": "X1", "patient": "PX", "treatment": "methylprednisolone-1000", "preferred_start": "12:00"},
    )
    report = tmp_path / "report.json"
    code, out, err = _run(
        capsys,
        "schedule",
        str(day),
        "--current",
        str(current),
        "--add-on",
        str(visit),
        "--now",
        "11:00",
        "--report",
        str(report),
    )
    assert code == 0
    data = json.loads(report.read_text())
    placed = parse_schedule(out)
    assert data["fits"] == ("X1" in {a.appointment for a in placed.assignments})
    assert "X1" in err


def test_without_the_flags_the_schedule_command_is_unchanged(
    running_day: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    day, current = running_day
    code, out, _ = _run(capsys, "schedule", str(day), "--solver", "greedy")
    assert code == 0 and parse_schedule(out) == parse_schedule(current.read_text()).model_copy(
        update={"solver": parse_schedule(out).solver}
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "--repair and --add-on need --current SCHEDULE.json"),
        (["--current", "CURRENT"], ""),
    ],
)
def test_repair_without_the_schedule_in_force_exits_2_with_one_line(
    running_day: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    day, current = running_day
    events = _write(
        tmp_path / "events.json",
        {"format": "msinfusion.events/1", "now": "11:00", "events": [{"kind": "no-show", "appointment": "A999"}]},
    )
    args = [str(current) if a == "CURRENT" else a for a in extra]
    code, _, err = _run(capsys, "schedule", str(day), "--repair", str(events), *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    expected = message or "events[0].appointment: unknown appointment 'A999'"
    assert expected in err


def test_bad_events_and_visits_exit_2_naming_the_field(
    running_day: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day, current = running_day
    cases = [
        ("--repair", {"format": "msinfusion.events/1", "now": "25:00", "events": []}, [], "now"),
        (
            "--repair",
            {"format": "msinfusion.events/1", "now": "11:00", "events": [{"kind": "meteor"}]},
            [],
            "events[0]",
        ),
        ("--add-on", {"id": "X1", "patient": "PX", "treatment": "t", "minutes": 3}, ["--now", "11:00"], "minutes"),
        ("--add-on", {"id": "X1", "patient": "PX", "treatment": "methylprednisolone-1000"}, ["--now", "1100"], "--now"),
        (
            "--add-on",
            {"id": "A001", "patient": "PX", "treatment": "methylprednisolone-1000"},
            ["--now", "11:00"],
            "already on the day",
        ),
    ]
    for flag, data, extra, named in cases:
        path = _write(tmp_path / "input.json", data)
        code, _, err = _run(capsys, "schedule", str(day), "--current", str(current), flag, str(path), *extra)
        assert code == 2, (data, err)
        assert len(err.strip().splitlines()) == 1 and named in err, err


def test_a_current_schedule_that_does_not_fit_the_day_exits_2(
    running_day: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day, current = running_day
    broken = json.loads(current.read_text())
    broken["assignments"] = broken["assignments"][1:]
    path = _write(tmp_path / "broken.json", broken)
    visit = _write(tmp_path / "visit.json", {"id": "X1", "patient": "PX", "treatment": "methylprednisolone-1000"})
    code, _, err = _run(capsys, "schedule", str(day), "--current", str(path), "--add-on", str(visit), "--now", "11:00")
    assert code == 2 and "not a valid schedule of the day" in err
