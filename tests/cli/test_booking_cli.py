"""`msinfusion book`: a plan in the format on stdout or a file, and bad input as one line with status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from msinfusion.booking import check_plan, parse_plan, parse_request
from msinfusion.cli import main

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "booking-request.json"


def test_book_writes_a_valid_plan_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["book", str(EXAMPLE), "--time-limit", "5"]) == 0
    captured = capsys.readouterr()
    plan = parse_plan(captured.out)
    check_plan(parse_request(EXAMPLE.read_text()), plan)
    assert "doses booked" in captured.err


def test_book_writes_the_plan_to_the_out_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "plan.json"
    assert main(["book", str(EXAMPLE), "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["format"] == "msinfusion.bookings/1"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["patients"][0].update(therapy="aspirin"), "patients[0].therapy"),
        (lambda d: d["patients"].append(dict(d["patients"][0])), "patients[5].id"),
        (lambda d: d["horizon"].update(end="2027-01-01"), "horizon"),
        (lambda d: d["center"]["week"].update(fri2=None), "center.week.fri2"),
        (lambda d: d.update(colour="blue"), "colour"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: object, field: str
) -> None:
    data = json.loads(EXAMPLE.read_text())
    change(data)  # type: ignore[operator]
    path = tmp_path / "request.json"
    path.write_text(json.dumps(data))
    assert main(["book", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"msinfusion: error: {field}:")


def test_malformed_json_and_a_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    assert main(["book", str(bad)]) == 2
    assert main(["book", str(tmp_path / "missing.json")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and "(file)" in lines[0] and "no such file" in lines[1]


def test_book_runs_as_a_program_and_never_prints_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "msinfusion.booking/1"}')
    command = [sys.executable, "-c", "import sys; from msinfusion.cli import main; sys.exit(main())", "book", str(bad)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
