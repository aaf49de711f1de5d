"""FHIR export: the personal plan as an R4B ``Bundle`` (collection), plus checks ``fhir.resources`` does not make.

Resources (``shared/reference/patient-experience.md`` §3): Patient with emergency contacts
(v2-0131 ``C``), RelatedPerson for the driver, Location for the center, Condition (MS and the card's
conditions), AllergyIntolerance, MedicationStatement, MedicationRequest with the dose timing (one
``dosageInstruction`` per initial dose or course, then the maintenance repeat), an Appointment per
planned visit, a CarePlan whose activities reference them (the R5 style, used on R4 too), and the
pre-infusion check as Questionnaire and QuestionnaireResponse.

``fhir.resources`` validates structure but not code lists, reference targets or invariants:
:func:`bundle_problems` checks those for everything we emit.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from msinfusion.i18n import translator
from msinfusion.plan import PersonalPlan, VisitPlan
from msinfusion.preparation import Stage
from msinfusion.therapies import load_catalog

BASE_URL = "https://msinfusion.example/fhir"
TRIAGE_EXTENSION = f"{BASE_URL}/StructureDefinition/triage-outcome"
NEEDS_REVIEW_EXTENSION = f"{BASE_URL}/StructureDefinition/needs-clinical-review"

SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
V2_0131 = "http://terminology.hl7.org/CodeSystem/v2-0131"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
BCP47 = "urn:ietf:bcp:47"
MS_SNOMED = "24700007"  # SNOMED CT: Multiple sclerosis (disorder)

ALLOWED_CODES: dict[str, set[str]] = {
    # Codes we emit from each code system; anything else is a bug (fhir.resources does not check them).
    SNOMED: {MS_SNOMED},
    UCUM: {"mg"},
    V2_0131: {"C"},
    ALLERGY_CLINICAL: {"active"},
    ALLERGY_VERIFICATION: {"unconfirmed"},
    CONDITION_CLINICAL: {"active"},
    CONDITION_CATEGORY: {"problem-list-item"},
    BCP47: {"en", "es"},
}

_PERIOD_UNITS = {"days": "d", "weeks": "wk", "months": "mo"}
_BOOKED = {"booked", "arrived", "fulfilled", "checked-in"}


class _Ids:
    """Deterministic resource ids (uuid5 of the plan's key), so a re-export keeps every id."""

    def __init__(self, plan: PersonalPlan) -> None:
        key = plan.patient.id or f"{plan.therapy_id}|{plan.start.isoformat()}"
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE_URL}/plan/{key}")

    def __call__(self, *parts: object) -> str:
        return str(uuid.uuid5(self.namespace, "/".join(str(p) for p in parts)))


def _ref(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _telecom(phone: str) -> list[dict[str, str]]:
    return [{"system": "phone", "value": phone}]


def _patient(plan: PersonalPlan, pid: str) -> dict[str, Any]:
    card = plan.card.details
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": pid,
        "communication": [
            {"language": {"coding": [{"system": BCP47, "code": plan.locale}]}, "preferred": True},
        ],
    }
    if plan.patient.id:
        resource["identifier"] = [{"system": f"{BASE_URL}/patient-id", "value": plan.patient.id}]
    if card.name:
        resource["name"] = [{"text": card.name}]
    if card.date_of_birth:
        resource["birthDate"] = card.date_of_birth.isoformat()
    if card.emergency_contacts:
        resource["contact"] = [
            {
                "relationship": [
                    {
                        "coding": [{"system": V2_0131, "code": "C", "display": "Emergency Contact"}],
                        **({"text": c.relationship} if c.relationship else {}),
                    }
                ],
                "name": {"text": c.name},
                "telecom": _telecom(c.phone),
            }
            for c in card.emergency_contacts
        ]
    return resource


def _dosage(plan: PersonalPlan) -> list[dict[str, Any]]:
    """One instruction per initial dose or course (with ``sequence``), then the maintenance repeat."""
    therapy = load_catalog().get(plan.therapy_id)
    route = "Subcutaneous" if therapy.route == "subcutaneous" else "Intravenous"
    dosages: list[dict[str, Any]] = []

    def quantity(visit: VisitPlan) -> list[dict[str, Any]]:
        if visit.dose_mg is None:
            return []
        return [{"doseQuantity": {"value": visit.dose_mg, "unit": "mg", "system": UCUM, "code": "mg"}}]

    if therapy.regimen.kind == "courses":
        courses: dict[int, list[VisitPlan]] = {}
        for visit in plan.visits:
            courses.setdefault(visit.course or 1, []).append(visit)
        for number, days in sorted(courses.items()):
            first = days[0]
            dosages.append(
                {
                    "sequence": len(dosages) + 1,
                    "text": f"{first.dose_text} once a day for {len(days)} days (course {number})",
                    "route": {"text": route},
                    "timing": {
                        "repeat": {
                            "boundsPeriod": {"start": first.date.isoformat()},
                            "count": len(days),
                            "frequency": 1,
                            "period": 1,
                            "periodUnit": "d",
                        }
                    },
                    "doseAndRate": quantity(first),
                }
            )
        return dosages
    initial = len(therapy.regimen.initial)
    for visit in plan.visits:
        if visit.number <= initial:
            dosages.append(
                {
                    "sequence": len(dosages) + 1,
                    "text": f"Dose {visit.number}: {visit.dose_text}",
                    "route": {"text": route},
                    "timing": {"event": [visit.date.isoformat()]},
                    "doseAndRate": quantity(visit),
                }
            )
    maintenance = therapy.regimen.maintenance
    later = [v for v in plan.visits if v.number > initial]
    if maintenance is not None and later:
        every = maintenance.every.value
        dosages.append(
            {
                "sequence": len(dosages) + 1,
                "text": f"{later[0].dose_text} every {every}",
                "route": {"text": route},
                "timing": {
                    "repeat": {
                        "boundsPeriod": {"start": later[0].date.isoformat()},
                        "frequency": 1,
                        "period": every.amount,
                        "periodUnit": _PERIOD_UNITS[every.unit],
                    }
                },
                "doseAndRate": quantity(later[0]),
            }
        )
    for dosage in dosages:
        if not dosage["doseAndRate"]:
            del dosage["doseAndRate"]
    return dosages


def plan_bundle(plan: PersonalPlan) -> dict[str, Any]:
    """The whole plan as a FHIR R4B collection Bundle (JSON-ready dict)."""
    t = translator(plan.locale)
    _ = t.gettext
    ids = _Ids(plan)
    pid, loc, ms, mr, cp, qid, qrid = (
        ids("patient"),
        ids("location"),
        ids("condition", "ms"),
        ids("medication-request"),
        ids("care-plan"),
        ids("questionnaire"),
        ids("questionnaire-response"),
    )
    card = plan.card.details
    resources: list[dict[str, Any]] = [_patient(plan, pid)]
    driver_id = None
    if card.driver:
        driver_id = ids("driver")
        resources.append(
            {
                "resourceType": "RelatedPerson",
                "id": driver_id,
                "patient": _ref(pid),
                "relationship": [{"text": _("Driver")}],
                "name": [{"text": card.driver.name}],
                "telecom": _telecom(card.driver.phone),
            }
        )
    center = plan.center
    resources.append(
        {
            "resourceType": "Location",
            "id": loc,
            "status": "active",
            "name": center.name,
            "telecom": _telecom(center.phone),
            "address": {
                "line": center.address.lines,
                "city": center.address.city,
                **({"state": center.address.region} if center.address.region else {}),
                **({"postalCode": center.address.postal_code} if center.address.postal_code else {}),
                "country": center.address.country,
            },
        }
    )
    resources.append(
        {
            "resourceType": "Condition",
            "id": ms,
            "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
            "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
            "code": {
                "coding": [{"system": SNOMED, "code": MS_SNOMED, "display": "Multiple sclerosis"}],
                "text": _("Multiple sclerosis"),
            },
            "subject": _ref(pid),
        }
    )
    for index, condition in enumerate(card.conditions):
        resources.append(
            {
                "resourceType": "Condition",
                "id": ids("condition", index),
                "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
                "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item"}]}],
                "code": {"text": condition.name},
                "subject": _ref(pid),
                **({"note": [{"text": condition.note}]} if condition.note else {}),
            }
        )
    for index, allergy in enumerate(card.allergies):
        resources.append(
            {
                "resourceType": "AllergyIntolerance",
                "id": ids("allergy", index),
                "clinicalStatus": {"coding": [{"system": ALLERGY_CLINICAL, "code": "active"}]},
                "verificationStatus": {"coding": [{"system": ALLERGY_VERIFICATION, "code": "unconfirmed"}]},
                "code": {"text": allergy.substance},
                "patient": _ref(pid),
                **({"reaction": [{"manifestation": [{"text": allergy.reaction}]}]} if allergy.reaction else {}),
            }
        )
    for index, medicine in enumerate(card.medicines):
        how = " ".join(p for p in (medicine.dose, medicine.how_often) if p)
        resources.append(
            {
                "resourceType": "MedicationStatement",
                "id": ids("medication-statement", index),
                "status": "active",
                "medicationCodeableConcept": {"text": medicine.name},
                "subject": _ref(pid),
                "informationSource": _ref(pid),
                **({"dosage": [{"text": how}]} if how else {}),
            }
        )
    request: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": mr,
        "status": "active",
        "intent": "plan",
        "medicationCodeableConcept": {"text": plan.generic},
        "subject": _ref(pid),
        "reasonReference": [_ref(ms)],
        "dosageInstruction": _dosage(plan),
    }
    if plan.approval == "off-label":
        request["note"] = [{"text": "Off-label use for MS: the prescriber sets the regimen."}]
    resources.append(request)
    appointment_ids = []
    for visit in plan.visits:
        aid = ids("appointment", visit.number)
        appointment_ids.append(aid)
        participants: list[dict[str, Any]] = [
            {"actor": _ref(pid), "required": "required", "status": "accepted"},
            {"actor": _ref(loc), "required": "required", "status": "accepted"},
        ]
        if driver_id:
            participants.append({"actor": _ref(driver_id), "required": "optional", "status": "tentative"})
        prep = visit.preparation
        instruction = " ".join(
            task.detail for task in prep.tasks if task.stage is Stage.DAY_OF and task.id in ("arrive", "finish")
        )
        resources.append(
            {
                "resourceType": "Appointment",
                "id": aid,
                "identifier": [{"system": f"{BASE_URL}/visit-uid", "value": visit.uid}],
                "status": "booked" if visit.times.confirmed else "proposed",
                "serviceType": [{"text": _("Infusion appointment")}],
                "description": _("Infusion appointment"),
                "start": visit.times.start.isoformat(),
                "end": visit.times.finish.isoformat(),
                "minutesDuration": visit.timeline.chair_minutes,
                "supportingInformation": [_ref(mr)],
                "patientInstruction": instruction,
                "participant": participants,
            }
        )
    activities: list[dict[str, Any]] = [{"reference": _ref(mr)}]
    activities += [{"reference": _ref(aid)} for aid in appointment_ids]
    if plan.next_visit:
        for task in plan.next_visit.preparation.tasks:
            activities.append(
                {
                    "detail": {
                        "kind": "Task",
                        "status": "not-started",
                        "description": f"{task.title}. {task.detail}",
                        "scheduledString": task.due.isoformat(),
                    }
                }
            )
    resources.append(
        {
            "resourceType": "CarePlan",
            "id": cp,
            "status": "active",
            "intent": "plan",
            "title": plan.therapy_name,
            "description": plan.summary,
            "subject": _ref(pid),
            "period": {"start": plan.start.isoformat()},
            "addresses": [_ref(ms)],
            "activity": activities,
            "note": [{"text": plan.disclaimer}],
        }
    )
    if plan.check is not None:
        check = plan.check
        url = f"{BASE_URL}/Questionnaire/pre-infusion-{plan.therapy_id}-dose-{check.dose_number}"
        resources.append(
            {
                "resourceType": "Questionnaire",
                "id": qid,
                "url": url,
                "language": plan.locale,
                "name": "PreInfusionCheck",
                "title": _("Pre-infusion check"),
                "status": "draft",  # every item needs clinical review before real use (§5)
                "subjectType": ["Patient"],
                "item": [
                    {
                        "linkId": q.id,
                        "text": q.text,
                        "type": "boolean",
                        "required": True,
                        **(
                            {"extension": [{"url": NEEDS_REVIEW_EXTENSION, "valueBoolean": True}]}
                            if q.needs_review
                            else {}
                        ),
                    }
                    for q in check.questions
                ],
            }
        )
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "id": qrid,
            "questionnaire": url,
            "status": "in-progress" if check.unanswered else "completed",
            "subject": _ref(pid),
            "authored": plan.issued.isoformat(),
            "item": [
                {
                    "linkId": q.id,
                    "text": q.text,
                    **({"answer": [{"valueBoolean": q.answer}]} if q.answer is not None else {}),
                }
                for q in check.questions
            ],
        }
        if check.outcome is not None:
            response["extension"] = [{"url": TRIAGE_EXTENSION, "valueCode": check.outcome.value}]
        resources.append(response)
    return {
        "resourceType": "Bundle",
        "id": ids("bundle"),
        "type": "collection",
        "timestamp": plan.issued.isoformat(),
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


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
