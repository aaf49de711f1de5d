"""The `calendar` and `plan` commands take prior mitoxantrone exposure and given amounts, refuse bad ones, and show
every value's status."""

from __future__ import annotations

import json

import pytest

from msinfusion.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


MITOXANTRONE = ["mitoxantrone", "--start", "2027-01-04", "--bsa", "1.8", "--until", "2035-01-01"]


@pytest.mark.parametrize("command", ["calendar", "plan"])
@pytest.mark.parametrize("prior", ["-50", "100000", "nan"])
def test_negative_or_absurd_prior_exposure_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], command: str, prior: str
) -> None:
    code, out, err = _run(capsys, command, *MITOXANTRONE, "--prior-mg-m2", prior)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "prior exposure" in err


def test_plan_counts_prior_exposure_against_the_cap(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "plan", *MITOXANTRONE, "--prior-mg-m2", "100", "--format", "json")
    assert code == 0
    plan = json.loads(out)
    assert len(plan["visits"]) == 3  # 100 + 3 x 12 = 136 <= 140 (US); a fourth would pass the cap
    assert any("lifetime cap of 140" in w for w in plan["staff"]["warnings"])


@pytest.mark.parametrize("command", ["calendar", "plan"])
def test_the_eu_rule_refuses_initiation_after_prior_treatment_unless_a_clinician_overrides(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    args = [command, *MITOXANTRONE, "--prior-mg-m2", "12", "--jurisdiction", "EU"]
    code, _, err = _run(capsys, *args)
    assert code == 2 and "must not be started after earlier treatment" in err
    code, _, _ = _run(capsys, *args, "--clinician-reason", "no other option; cardiology agrees")
    assert code == 0


def test_calendar_cap_counts_the_amounts_given(capsys: pytest.CaptureFixture[str]) -> None:
    given = ["--given", "2027-01-04", "--given-mg", "36", "--given", "2027-04-04", "--given-mg", "36"]
    code, out, _ = _run(capsys, "calendar", *MITOXANTRONE, *given, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["doses"][0]["amount"] == 20  # 36 mg at 1.8 m2
    assert data["cumulative_per_m2"] == pytest.approx(40 + 8 * 12)


def test_more_given_amounts_than_given_dates_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "calendar", *MITOXANTRONE, "--given-mg", "21.6")
    assert code == 2 and "given amounts" in err


def test_calendar_json_shows_each_values_status_and_the_checks_before_each_dose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "calendar", *MITOXANTRONE, "--json")
    assert code == 0
    first = json.loads(out)["doses"][0]
    assert first["status_of"]["amount"] == "secondary"
    assert first["status_of"]["observation"] == "unconfirmed"
    assert "observation time" in first["needs_review"]
    assert first["checks_before_dose"] == ["lvef", "neutrophils", "blood-liver-pregnancy"]


def test_calendar_text_marks_each_value_with_its_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "calendar", "ocrelizumab-iv", "--start", "2027-01-04", "--until", "2027-02-01")
    assert code == 0
    assert "300 mg [label]" in out and "[secondary]" in out and "60 min [label]" in out


def test_a_plan_with_the_short_ocrevus_infusion_says_who_it_is_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["plan", "ocrelizumab-iv", "--start", "2027-01-04", "--until", "2027-08-01", "--option", "short"]
    code, out, _ = _run(capsys, *args, "--format", "json")
    assert code == 0
    later = next(v for v in json.loads(out)["visits"] if v["number"] == 3)
    assert any("never had a serious reaction" in n for n in later["notes"])
