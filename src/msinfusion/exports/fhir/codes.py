"""The URLs, code systems and codes the FHIR export emits, and the only codes it may emit from each system."""

from __future__ import annotations

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
