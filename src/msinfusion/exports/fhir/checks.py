"""Checks ``fhir.resources`` does not make: code lists, reference targets and the invariants we rely on."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from msinfusion.exports.fhir.codes import ALLOWED_CODES

_BOOKED = {"booked", "arrived", "fulfilled", "checked-in"}


def parse_resources(bundle: dict[str, Any]) -> list[BaseModel]:
    """Every entry parsed by its ``fhir.resources`` R4B class (raises ``ValidationError`` if invalid)."""
    from fhir.resources.R4B import get_fhir_model_class

    parsed: list[BaseModel] = []
    for entry in bundle["entry"]:
        resource = entry["resource"]
        parsed.append(get_fhir_model_class(resource["resourceType"]).model_validate(resource))
    return parsed


def _walk(model: BaseModel, path: str) -> Iterator[tuple[str, BaseModel, str, Any, dict[str, Any]]]:
    for name, field in type(model).model_fields.items():
        value = getattr(model, name, None)
        if value is None:
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        values = value if isinstance(value, list) else [value]
        for item in values:
            yield f"{path}.{name}", model, name, item, extra
            if isinstance(item, BaseModel):
                yield from _walk(item, f"{path}.{name}")


def bundle_problems(bundle: dict[str, Any]) -> list[str]:
    """What ``fhir.resources`` lets through: codes, reference targets and the invariants we rely on."""
    from fhir.resources.R4B import get_fhir_model_class

    problems: list[str] = []
    types = {e["fullUrl"]: e["resource"]["resourceType"] for e in bundle["entry"]}
    questionnaires = {
        e["resource"]["url"]: e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Questionnaire"
    }
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        model = get_fhir_model_class(kind).model_validate(resource)
        for path, _owner, _name, value, extra in _walk(model, kind):
            allowed = extra.get("enum_values")
            if allowed and isinstance(value, str) and value not in allowed:
                problems.append(f"{path}: {value!r} is not one of {allowed}")
            if type(value).__name__ == "Reference" and getattr(value, "reference", None):
                target = types.get(value.reference)
                if target is None:
                    problems.append(f"{path}: {value.reference} is not in the bundle")
                else:
                    targets = extra.get("enum_reference_types") or ["Resource"]
                    if "Resource" not in targets and target not in targets:
                        problems.append(f"{path}: refers to a {target}, allowed {targets}")
            if type(value).__name__ == "Coding":
                codes = ALLOWED_CODES.get(value.system)
                if codes is None or value.code not in codes:
                    problems.append(f"{path}: code {value.system}|{value.code} is not one we may emit")
        problems += _invariants(kind, resource, questionnaires)
    return problems


def _invariants(kind: str, resource: dict[str, Any], questionnaires: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    if kind == "Appointment":
        if resource["status"] in _BOOKED and not (resource.get("start") and resource.get("end")):
            problems.append("Appointment: a booked appointment needs start and end (app-3)")
        start = datetime.datetime.fromisoformat(resource["start"])
        end = datetime.datetime.fromisoformat(resource["end"])
        if start.tzinfo is None or end <= start:
            problems.append("Appointment: start and end must be time-zoned, end after start")
        if resource.get("minutesDuration") != int((end - start).total_seconds() // 60):
            problems.append("Appointment: minutesDuration does not match start and end")
        if not any(p["actor"]["reference"].startswith("urn:uuid:") for p in resource["participant"]):
            problems.append("Appointment: no participant actor")
    if kind == "QuestionnaireResponse":
        questionnaire = questionnaires.get(resource["questionnaire"])
        if questionnaire is None:
            problems.append("QuestionnaireResponse: its Questionnaire is not in the bundle")
        else:
            links = {i["linkId"] for i in questionnaire["item"]}
            for item in resource.get("item", []):
                if item["linkId"] not in links:
                    problems.append(f"QuestionnaireResponse: linkId {item['linkId']!r} is not in the Questionnaire")
        if resource["status"] == "completed" and any("answer" not in i for i in resource.get("item", [])):
            problems.append("QuestionnaireResponse: completed but some items have no answer")
    if kind == "MedicationRequest":
        for dosage in resource.get("dosageInstruction", []):
            repeat = dosage.get("timing", {}).get("repeat")
            if repeat and "period" in repeat and "periodUnit" not in repeat:
                problems.append("MedicationRequest: timing period without periodUnit (tim-1)")
    return problems
