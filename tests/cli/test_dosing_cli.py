"""`msinfusion calendar`, `visit` and `therapies`: the contract other tools rely on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from msinfusion.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_calendar_json_has_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "calendar", "ocrelizumab-iv", "--start", "2027-01-04", "--until", "2027-12-31", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["therapy"] == "ocrelizumab-iv"
    first = data["doses"][0]
    for key in (
        "number",
        "date",
        "dose_mg",
        "infusion_minutes",
        "premedication_minutes",
        "observation_minutes",
        "chair_minutes",
        "status",
        "window",
        "notes",
    ):
        assert key in first
    assert [d["date"] for d in data["doses"]] == ["2027-01-04", "2027-01-18", "2027-07-04"]
    assert data["doses"][2]["chair_minutes"] == 325
    assert data["doses"][0]["status"] == "planned"


def test_calendar_recomputes_later_doses_from_given_dates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "calendar",
        "natalizumab",
        "--start",
        "2027-01-04",
        "--given",
        "2027-01-04",
        "--given",
        "2027-02-08",
        "--until",
        "2027-03-31",
        "--json",
    )
    assert code == 0
    doses = json.loads(out)["doses"]
    assert [d["status"] for d in doses] == ["given", "given", "planned"]
    assert doses[2]["date"] == "2027-03-08"


def test_calendar_text_table_shows_each_dose(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "calendar", "alemtuzumab", "--start", "2027-01-04")
    assert code == 0
    assert "2027-01-08" in out and "2028-01-06" in out
    assert "further 3-day courses only if needed" in out


def test_mitoxantrone_calendar_with_bsa(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "calendar", "mitoxantrone", "--start", "2027-01-04", "--bsa", "1.9", "--json")
    assert code == 0
    assert json.loads(out)["doses"][0]["dose_mg"] == pytest.approx(22.8)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calendar", "interferon", "--start", "2027-01-04"], "unknown therapy 'interferon'; known: alemtuzumab"),
        (["calendar", "natalizumab", "--start", "2027-02-30"], "--start: '2027-02-30' is not a real date"),
        (["calendar", "natalizumab", "--start", "2027-02-03", "--until", "2027-01-01"], "before the start"),
        (["calendar", "mitoxantrone", "--start", "2027-02-03"], "--bsa"),
        (
            ["calendar", "natalizumab", "--start", "2027-02-03", "--given", "2027-01-01"],
            "given date 2027-01-01 is before the start",
        ),
        (["calendar", "methylprednisolone", "--start", "2027-02-03", "--course-days", "9"], "3 to 5"),
        (["calendar", "natalizumab", "--start", "2027-02-03", "--bogus"], "No such option: --bogus"),
        (["visit", "natalizumab", "--dose", "0"], "--dose"),
        (["therapies", "show", "nope"], "unknown therapy 'nope'"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = _run(capsys, *args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_bad_input_from_the_installed_command_never_prints_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "msinfusion", "calendar", "x", "--start", "2027-13-01"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("msinfusion: error:")


def test_visit_json_lists_phases_and_plan_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "visit", "ublituximab", "--dose", "1", "--json")
    assert code == 0
    data = json.loads(out)
    assert [p["name"] for p in data["phases"]] == ["check-in", "premedication", "infusion", "observation", "discharge"]
    assert data["chair_minutes"] == 355
    assert data["plan_text"] == "about 6 hours"


def test_visit_with_the_shorter_ocrelizumab_option(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "visit", "ocrelizumab-iv", "--dose", "3", "--option", "short", "--json")
    assert code == 0
    assert json.loads(out)["treatment"] == "ocrelizumab-600-short"
    code, _, err = _run(capsys, "visit", "ocrelizumab-iv", "--dose", "1", "--option", "short")
    assert code == 2 and "no infusion option 'short'" in err


def test_therapies_lists_show_and_review(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "therapies")
    assert code == 0 and "ocrelizumab-iv" in out and "off-label" in out
    code, out, _ = _run(capsys, "therapies", "show", "ocrevus")
    assert code == 0 and "S2" in out and "NEEDS REVIEW" in out
    code, out, _ = _run(capsys, "therapies", "review")
    assert code == 0 and "min_interval" in out and "values need review" in out
