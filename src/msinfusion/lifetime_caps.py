"""Lifetime caps on the cumulative dose (mitoxantrone): prior exposure, the amounts given, the EU start rule."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from msinfusion.doses import PlannedDose, RegimenError
from msinfusion.i18n import N_, Message
from msinfusion.therapies.model import Therapy


def apply_cap(
    therapy: Therapy, doses: list[PlannedDose], jurisdiction: str, prior: float
) -> tuple[list[PlannedDose], list[str], float]:
    """Keep the planned doses whose cumulative amount stays within the lifetime cap."""
    assert therapy.cumulative_cap is not None
    limits = therapy.cumulative_cap.limits
    if jurisdiction not in limits:
        raise RegimenError(f"no cumulative cap for jurisdiction {jurisdiction!r}; known: {', '.join(limits)}")
    cap = limits[jurisdiction].value
    total = prior
    kept: list[PlannedDose] = []
    warnings: list[str] = []
    for dose in doses:
        if dose.status == "planned" and total + dose.amount > cap + 1e-9:
            warnings.append(
                Message(
                    N_(
                        "stopped before dose {number}: it would pass the lifetime cap of {cap} mg/m2 "
                        "({jurisdiction}); {total} mg/m2 given or planned"
                    ),
                    number=dose.number,
                    cap=f"{cap:g}",
                    jurisdiction=jurisdiction,
                    total=f"{total:g}",
                )
            )
            break
        total += dose.amount
        if dose.status == "given" and total > cap + 1e-9:
            warnings.append(
                Message(
                    N_("dose {number} took the cumulative dose to {total} mg/m2, past the cap"),
                    number=dose.number,
                    total=f"{total:g}",
                )
            )
        kept.append(dose)
    return kept, warnings, total


def check_prior(therapy: Therapy, jurisdiction: str, prior: float) -> None:
    """Refuse a prior exposure that is negative, not a number, or beyond any sense (twice the largest cap)."""
    cap = therapy.cumulative_cap
    if cap is None:
        if prior:
            raise RegimenError(f"{therapy.id} has no cumulative cap; a prior mg/m2 does not apply")
        return
    largest = max(f.value for f in cap.limits.values())
    if not math.isfinite(prior) or not 0 <= prior <= 2 * largest:
        raise RegimenError(
            f"prior exposure must be 0 to {2 * largest:g} mg/m2 (twice the largest lifetime cap), not {prior:g}"
        )


def initiation_rule(therapy: Therapy, jurisdiction: str, prior: float, clinician_reason: str | None) -> list[str]:
    """The EU rule: mitoxantrone is not started in a patient treated with it before (mitoxantrone:S6)."""
    assert therapy.cumulative_cap is not None
    if jurisdiction != "EU" or prior <= 0 or "EU" not in therapy.cumulative_cap.limits:
        return []
    rule = therapy.cumulative_cap.limits["EU"]
    sources = ", ".join(rule.source)
    if not (clinician_reason or "").strip():
        raise RegimenError(
            f"EU label ({sources}): {therapy.id} must not be started after earlier treatment with it "
            f"({prior:g} mg/m2 on record); a clinician may decide otherwise with a written reason"
        )
    return [
        Message(
            N_("EU rule against starting after earlier treatment overridden by a clinician: {reason}"),
            reason=clinician_reason,
        )
    ]


def with_given_amounts(
    therapy: Therapy, doses: list[PlannedDose], given_mg: Sequence[float | None], bsa: float | None
) -> list[PlannedDose]:
    """Given doses carry the amount actually given, where it is known."""
    out = list(doses)
    for index, mg in enumerate(given_mg):
        if mg is None or index >= len(out) or out[index].status != "given":
            continue
        per_unit = mg / bsa if therapy.dose_unit == "mg/m2" and bsa else mg
        out[index] = dataclasses.replace(out[index], dose_mg=mg, amount=round(per_unit, 2))
    return out
