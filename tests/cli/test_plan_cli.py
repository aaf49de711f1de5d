"""`msinfusion plan`: every therapy, both languages, all five formats; bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
import yaml
from fhir.resources.R4B.bundle import Bundle

from msinfusion.cli import main
from msinfusion.exports.fhir import bundle_problems
from msinfusion.therapies import load_catalog

CATALOG = load_catalog()
FORMATS = ["text", "json", "ics", "fhir", "html"]

PATIENT_YAML = """\
language: es
card:
  name: Ana Torres
  no_known_allergies: true
  medicines:
    - {name: vitamin D, dose: 2000 IU}
  emergency_contacts:
    - {name: Luis Torres, relationship: brother, phone: "617-555-0123"}
  driver: {name: Marta Ruiz, phone: "+1 617 555 0188"}
answers:
  infection: no
"""

CENTER = {
    "id": "north-clinic",
    "name": "North Clinic Infusion Suite",
    "address": {"lines": ["5 Elm Street"], "city": "Portland", "region": "OR", "postal_code": "97201"},
    "phone": "(503) 555-0110",
    "timezone": "America/Los_Angeles",
    "hours": [{"day": d, "opens": "07:00", "closes": "19:00"} for d in ("monday", "tuesday", "wednesday")],
    "amenities": ["water", "tv"],
    "smoking": {"hours_before": 1, "wording": {"en": "North Clinic is smoke free; please do not smoke on site."}},
}


@pytest.fixture
def patient_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "patient.yaml"
    path.write_text(PATIENT_YAML, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("therapy", CATALOG.ids)
def test_plan_produces_every_format_for_every_therapy_in_both_languages(
    capsys: pytest.CaptureFixture[str], patient_yaml: Path, therapy: str, lang: str, fmt: str
) -> None:
    args = [therapy, "--start", "2027-01-04", "--bsa", "1.8", "--lang", lang, "--format", fmt]
    code, out, err = run(capsys, *args, "--patient", str(patient_yaml))
    assert (code, err) == (0, "")
    name = CATALOG.get(therapy).name
    if fmt == "text":
        assert name in out and ("Mi plan de infusión" if lang == "es" else "My infusion plan") in out
    elif fmt == "json":
        data = json.loads(out)
        assert data["therapy_id"] == therapy and data["locale"] == lang and data["visits"]
    elif fmt == "ics":
        uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(out.encode()).walk("VEVENT")]
        assert uids and all(uid.endswith("@msinfusion") for uid in uids)
    elif fmt == "fhir":
        bundle = json.loads(out)
        Bundle.model_validate(bundle)
        assert bundle_problems(bundle) == []
    else:
        assert out.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in out


def test_the_calendar_reimports_with_the_same_uids_as_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    _, plan_json, _ = run(capsys, "ublituximab", "--start", "2027-01-04", "--format", "json")
    _, ics, _ = run(capsys, "ublituximab", "--start", "2027-01-04", "--format", "ics")
    first = icalendar.Calendar.from_ical(ics.encode())
    again = icalendar.Calendar.from_ical(first.to_ical())
    expected = [v["uid"] for v in json.loads(plan_json)["visits"]]
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == expected


def test_without_files_no_center_is_made_up_and_an_empty_card_is_used(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "natalizumab", "--start", "2027-01-04")
    assert code == 0
    assert "Riverside" not in out and "555" not in out and "River Road" not in out
    assert "Ask your care team for its address and phone number" in out
    assert "Name: ________" in out
    assert "not answered yet" in out


def test_the_patients_language_is_used_without_lang(capsys: pytest.CaptureFixture[str], patient_yaml: Path) -> None:
    _, out, _ = run(capsys, "natalizumab", "--start", "2027-01-04", "--patient", str(patient_yaml))
    assert "Mi plan de infusión" in out and "Ana Torres" in out


def test_a_center_file_sets_the_place_phone_and_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    center = tmp_path / "center.json"
    center.write_text(json.dumps(CENTER), encoding="utf-8")
    code, out, _ = run(capsys, "natalizumab", "--start", "2027-01-04", "--center", str(center))
    assert code == 0
    assert "North Clinic Infusion Suite, 5 Elm Street, Portland, OR 97201" in out
    assert "(503) 555-0110" in out
    assert "North Clinic is smoke free" in out
    assert "Arrive by 7:00" in out


def test_out_writes_the_file_and_prints_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "plan.ics"
    code, out, _ = run(capsys, "ocrelizumab-iv", "--start", "2027-01-04", "--format", "ics", "--out", str(target))
    assert (code, out) == (0, "")
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ocrelizumab-iv", "--start", "2027-02-30"], "--start: '2027-02-30' is not a real date"),
        (["nosuchdrug", "--start", "2027-01-04"], "unknown therapy 'nosuchdrug'"),
        (["ocrelizumab-iv", "--start", "2027-01-04", "--lang", "fr"], "--lang: language 'fr' is not available"),
        (["ocrelizumab-iv", "--start", "2027-01-04", "--format", "pdf"], "--format: 'pdf' is not one of"),
        (["mitoxantrone", "--start", "2027-01-04"], "give the body surface area with --bsa"),
        (["ocrelizumab-iv", "--start", "2027-01-04", "--patient", "/no/such/file.yaml"], "--patient: cannot read"),
        (["ocrelizumab-iv", "--start", "2027-01-04", "--given", "2026-12-01"], "is before the start"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


@pytest.mark.parametrize(
    ("option", "text", "message"),
    [
        ("--patient", "card: {emergency_contacts: [{name: A, phone: '12'}]}", "card.emergency_contacts.0.phone"),
        ("--patient", "card: {allergies: [{substance: latex}], no_known_allergies: true}", "card: "),
        ("--patient", "cardd: {}", "cardd: Extra inputs are not permitted"),
        ("--patient", "answers: {teleport: yes}", "answers: 'teleport' is not a question"),
        ("--patient", "card: {date_of_birth: 1984-13-01}", "card.date_of_birth"),
        ("--patient", "card: [unclosed", "is not valid JSON or YAML"),
        ("--patient", "- a list", "must hold a mapping"),
        ("--center", json.dumps({**CENTER, "timezone": "Mars/Base"}), "--center: timezone:"),
        ("--center", json.dumps({**CENTER, "phone": "0"}), "--center: phone:"),
    ],
)
def test_a_bad_file_exits_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str, text: str, message: str
) -> None:
    path = write(tmp_path, "input.yaml", text)
    code, out, err = run(capsys, "ocrelizumab-iv", "--start", "2027-01-04", option, path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_the_patient_file_example_in_this_test_is_valid_yaml() -> None:
    assert yaml.safe_load(PATIENT_YAML)["answers"] == {"infection": False}
