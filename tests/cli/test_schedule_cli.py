"""`msinfusion schedule` and `msinfusion demo-day`: the format in, the format out, one line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from msinfusion.cli import main
from msinfusion.scheduling import check_schedule, parse_day, parse_schedule, with_catalog_phases


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_day_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code, out, _ = _run(capsys, "demo-day", "--chairs", "6", "--nurses", "2", "--appointments", "14", "--seed", "3")
    assert code == 0
    path = tmp_path / "day.json"
    path.write_text(out)
    return path


def test_demo_day_writes_a_day_in_the_format(demo_day_file: Path) -> None:
    day = parse_day(demo_day_file.read_text())
    assert len(day.appointments) == 14
    assert len(day.center.chairs) == 6


def test_schedule_greedy_writes_a_valid_schedule_to_stdout(
    demo_day_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "schedule", str(demo_day_file), "--solver", "greedy")
    assert code == 0
    schedule = parse_schedule(out)
    assert schedule.solver.status == "heuristic"
    check_schedule(with_catalog_phases(parse_day(demo_day_file.read_text())), schedule)
    assert "appointments scheduled" in err


def test_schedule_cp_sat_writes_to_the_out_file_with_a_bound(
    demo_day_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "schedule.json"
    code, out, _ = _run(capsys, "schedule", str(demo_day_file), "--time-limit", "2", "--out", str(target))
    assert code == 0
    assert out == ""
    schedule = parse_schedule(target.read_text())
    assert schedule.solver.name == "cp-sat"
    assert schedule.bound is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["appointments"][0]["phases"][0].update(minutes=-1),
            "appointments[0].phases[0].minutes: must be >= 0",
        ),
        (lambda d: d["appointments"][1].update(id=d["appointments"][0]["id"]), "appointments[1].id: duplicate id"),
        (lambda d: d["appointments"][0].update(fixed={"chair": "X9"}), "appointments[0].fixed.chair: unknown chair"),
        (lambda d: d["center"].update(opens="8:00"), "center.opens: must be HH:MM"),
        (lambda d: d.update(extra=1), "extra: unknown field"),
    ],
)
def test_bad_day_exits_2_with_one_line_naming_the_field(
    demo_day_file: Path, capsys: pytest.CaptureFixture[str], change: object, message: str
) -> None:
    data = json.loads(demo_day_file.read_text())
    change(data)  # type: ignore[operator]
    demo_day_file.write_text(json.dumps(data))
    code, out, err = _run(capsys, "schedule", str(demo_day_file), "--solver", "greedy")
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [err.strip()]
    assert message in err


def test_malformed_json_and_a_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert _run(capsys, "schedule", str(broken))[0] == 2
    assert _run(capsys, "schedule", str(tmp_path / "missing.json"))[0] == 2


def test_schedule_runs_as_a_program_and_never_prints_a_traceback(demo_day_file: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-c", "import sys; from msinfusion.cli import main; sys.exit(main())"]
    ok = subprocess.run(
        [*command, "schedule", str(demo_day_file), "--solver", "greedy"], capture_output=True, text=True
    )
    assert ok.returncode == 0
    assert json.loads(ok.stdout)["format"] == "msinfusion.schedule/1"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "msinfusion.day/1"}))
    failed = subprocess.run([*command, "schedule", str(bad)], capture_output=True, text=True)
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr
    assert failed.stderr.strip() == "msinfusion: error: center: required field is missing"


def test_schedule_search_anytime_writes_a_valid_schedule_in_the_same_format(
    demo_day_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "schedule", str(demo_day_file), "--time-limit", "2", "--search", "anytime")
    assert code == 0
    schedule = parse_schedule(out)
    check_schedule(with_catalog_phases(parse_day(demo_day_file.read_text())), schedule)
    _, deterministic, _ = _run(capsys, "schedule", str(demo_day_file), "--time-limit", "2")
    assert set(json.loads(out)) == set(json.loads(deterministic))


@pytest.mark.parametrize(
    ("extra", "needle"), [(("--solver", "greedy"), "--solver cp-sat"), (("--search", "fastest"), "--search")]
)
def test_schedule_search_rejects_a_greedy_anytime_run_and_an_unknown_mode_with_exit_2(
    demo_day_file: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, str], needle: str
) -> None:
    args = ["schedule", str(demo_day_file), *extra]
    if "fastest" not in extra:
        args += ["--search", "anytime"]
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert out == ""
    assert needle in err
    assert "Traceback" not in err
