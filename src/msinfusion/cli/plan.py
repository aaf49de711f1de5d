"""`msinfusion plan`: a patient's whole plan as text, JSON, iCalendar, FHIR or printable HTML."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError

from msinfusion.center import CenterProfile
from msinfusion.cli._app import UsageProblem, app
from msinfusion.cli.catalog import find_therapy
from msinfusion.cli.dosing import parse_date
from msinfusion.exports.fhir import plan_bundle
from msinfusion.exports.ical import feed_ics
from msinfusion.exports.printable import plan_html
from msinfusion.exports.text import plan_text
from msinfusion.i18n import UnknownLocale
from msinfusion.plan import PatientFile, PersonalPlan, build_plan, patient_file
from msinfusion.regimens import RegimenError
from msinfusion.screening import ScreeningError

FORMATS = ("text", "json", "ics", "fhir", "html")


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported by the field that holds it."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_document(path: Path, option: str) -> Any:
    """A JSON or YAML file's data, or a usage problem naming the option."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(f"{option}: cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader; YAML 1.1 reads JSON too
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise UsageProblem(f"{option}: {path} is not valid JSON or YAML{line}") from None
    if not isinstance(data, dict):
        raise UsageProblem(f"{option}: {path} must hold a mapping of fields")
    return data


def validation_line(exc: ValidationError, option: str) -> str:
    """The first validation error as one line naming the field."""
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "(file)"
    message = error["msg"].removeprefix("Value error, ")
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{option}: {field}: {message}{more}"


def render(plan: PersonalPlan, fmt: str) -> bytes:
    """The plan in one of :data:`FORMATS`."""
    if fmt == "json":
        return (json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "ics":
        return feed_ics(plan)
    if fmt == "fhir":
        return (json.dumps(plan_bundle(plan), indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "html":
        return plan_html(plan).encode()
    return plan_text(plan).encode()


@app.command("plan")
def plan_command(
    therapy: str = typer.Argument(..., help="Therapy id, generic or brand name"),
    start: str = typer.Option(..., "--start", help="Date of the first dose, YYYY-MM-DD"),
    given: list[str] = typer.Option([], "--given", help="A date already given, in order (repeat the option)"),
    until: str | None = typer.Option(None, "--until", help="Last date to plan, YYYY-MM-DD (default: 2 years)"),
    bsa: float | None = typer.Option(None, "--bsa", help="Body surface area in m2 (mg/m2 therapies)"),
    course_days: int | None = typer.Option(None, "--course-days", help="Days in a relapse course (3-5)"),
    center_file: Path | None = typer.Option(None, "--center", help="Center profile, JSON or YAML (default: demo)"),
    patient_path: Path | None = typer.Option(None, "--patient", help="Patient file: card data and check answers"),
    lang: str | None = typer.Option(None, "--lang", help="Language: en or es (default: the patient's, else en)"),
    fmt: str = typer.Option("text", "--format", help="text, json, ics, fhir or html"),
    out: Path | None = typer.Option(None, "--out", help="Write to this file instead of standard output"),
    given_mg: list[float] = typer.Option([], "--given-mg", help="mg actually given, in the order of --given"),
    prior: float = typer.Option(0.0, "--prior-mg-m2", help="Cumulative mg/m2 received before (capped therapies)"),
    jurisdiction: str = typer.Option("US", "--jurisdiction", help="Label jurisdiction for caps: US or EU"),
    clinician_reason: str | None = typer.Option(
        None, "--clinician-reason", help="A clinician's written reason to go on where a label rule refuses"
    ),
    option: str | None = typer.Option(None, "--option", help="Infusion option for later doses, e.g. short"),
    today_text: str | None = typer.Option(None, "--today", help="Today, YYYY-MM-DD: no visit is listed before it"),
) -> None:
    """Print a patient's plan: visits, preparation, information card, pre-infusion check and exports."""
    chosen = find_therapy(therapy)
    if fmt not in FORMATS:
        raise UsageProblem(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    start_date = parse_date(start, "--start")
    given_dates = [parse_date(g, "--given") for g in given]
    until_date = parse_date(until, "--until") if until else None
    as_of = parse_date(today_text, "--today") if today_text else None
    today = as_of or datetime.date.today()  # noqa: DTZ011 - the person at the terminal means their own date
    center: CenterProfile | None = None  # no profile: the plan names no center and says to ask the care team
    if center_file is not None:
        data = read_document(center_file, "--center")
        try:
            region = data.get("address", {}).get("country", "US") if isinstance(data.get("address"), dict) else "US"
            center = CenterProfile.model_validate(data, context={"region": region})
        except ValidationError as exc:
            raise UsageProblem(validation_line(exc, "--center")) from None
    patient = PatientFile()
    if patient_path is not None:
        try:
            patient = patient_file(read_document(patient_path, "--patient"), today=today)
        except ValidationError as exc:
            raise UsageProblem(validation_line(exc, "--patient")) from None
    try:
        plan = build_plan(
            chosen,
            start_date,
            issued=datetime.datetime.now(datetime.UTC).replace(microsecond=0),
            given=given_dates,
            until=until_date,
            bsa=bsa,
            course_days=course_days,
            center=center,
            patient=patient,
            locale=lang,
            today=as_of,
            given_mg=given_mg,
            prior_cumulative_per_m2=prior,
            jurisdiction=jurisdiction.upper(),
            clinician_reason=clinician_reason,
            option=option,
        )
    except UnknownLocale as exc:
        raise UsageProblem(f"--lang: {exc}") from None
    except ScreeningError as exc:
        raise UsageProblem(f"--patient: {exc}") from None
    except RegimenError as exc:
        raise UsageProblem(str(exc)) from None
    payload = render(plan, fmt)
    if out is None:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(payload)
    except OSError as exc:
        raise UsageProblem(f"--out: cannot write {out}: {exc.strerror or exc}") from None
