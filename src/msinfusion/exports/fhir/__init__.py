"""FHIR export: the personal plan as an R4B ``Bundle`` (collection), plus checks ``fhir.resources`` does not make.

Resources (``shared/reference/patient-experience.md`` §3), one builder per kind
(:data:`~msinfusion.exports.fhir.bundle.BUILDERS`): Patient with emergency contacts (v2-0131 ``C``),
RelatedPerson for the driver, Location for the center, Condition (MS and the card's conditions),
AllergyIntolerance, MedicationStatement, MedicationRequest with the dose timing (one
``dosageInstruction`` per initial dose or course, then the maintenance repeat), an Appointment per
planned visit, a CarePlan whose activities reference them (the R5 style, used on R4 too), and the
pre-infusion check as Questionnaire and QuestionnaireResponse.

``fhir.resources`` validates structure but not code lists, reference targets or invariants:
:func:`bundle_problems` checks those for everything we emit.
"""

from msinfusion.exports.fhir.bundle import BUILDERS, plan_bundle
from msinfusion.exports.fhir.checks import bundle_problems, parse_resources
from msinfusion.exports.fhir.codes import (
    ALLOWED_CODES,
    BASE_URL,
    NEEDS_REVIEW_EXTENSION,
    TRIAGE_EXTENSION,
    V2_0131,
)

__all__ = [
    "ALLOWED_CODES",
    "BASE_URL",
    "BUILDERS",
    "NEEDS_REVIEW_EXTENSION",
    "TRIAGE_EXTENSION",
    "V2_0131",
    "bundle_problems",
    "parse_resources",
    "plan_bundle",
]
