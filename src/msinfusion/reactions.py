"""What a patient's infusion-reaction history changes: observation back on, clinician gates, infusion options.

Pure rules over a list of recorded reactions. Observation after a reaction comes from the
therapy data (``observation[].after_reaction``: ublituximab and natalizumab, whose labels make
later observation depend on the reaction history). After a serious reaction no further dose is
planned without a clinician's decision, and an infusion option offered only to patients without a
serious reaction (the 2-hour OCREVUS infusion) is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from msinfusion.therapies.model import Fact, Therapy


@dataclass(frozen=True, slots=True)
class Reaction:
    """An infusion reaction on record: after which dose, when, and whether it was serious."""

    dose_number: int
    date: date
    serious: bool = False


@dataclass(frozen=True, slots=True)
class ObservationDecision:
    """The observation for one dose given the reaction history, with the rule it comes from."""

    minutes: int
    fact: Fact[int]
    turned_back_on: bool


@dataclass(frozen=True, slots=True)
class ClinicianGate:
    """Whether the next dose waits for a clinician's decision, and why (with the therapy's sourced rule)."""

    needs_clinician: bool
    reason: str | None = None
    sources: tuple[str, ...] = ()


def had_reaction_before(dose_number: int, reactions: Sequence[Reaction]) -> bool:
    """Whether any reaction on record happened at an earlier dose than ``dose_number`` (or at it)."""
    return any(r.dose_number <= dose_number for r in reactions)


def observation_for(therapy: Therapy, dose_number: int, reactions: Sequence[Reaction]) -> ObservationDecision:
    """Observation after dose ``dose_number``: the label's longer time once a reaction is on record."""
    plain = therapy.observation_minutes(dose_number)
    fact = therapy.observation_minutes(dose_number, after_reaction=had_reaction_before(dose_number, reactions))
    return ObservationDecision(fact.value, fact, fact is not plain)


def retreatment_gate(therapy: Therapy, reactions: Sequence[Reaction]) -> ClinicianGate:
    """After a serious reaction the next dose needs a clinician's decision (natalizumab: stop at the first sign)."""
    serious = [r for r in reactions if r.serious]
    if not serious:
        return ClinicianGate(False)
    last = max(serious, key=lambda r: r.date)
    rule = therapy.after_serious_reaction
    reason = f"serious infusion reaction after dose {last.dose_number} on {last.date.isoformat()}"
    if rule is not None:
        return ClinicianGate(True, f"{reason}: {rule.value} ({rule.status})", tuple(rule.source))
    return ClinicianGate(True, reason)


def option_problem(therapy: Therapy, option: str | None, reactions: Sequence[Reaction]) -> str | None:
    """Why an infusion option may not be offered to this patient (a serious reaction on record), or None."""
    if option is None or option not in therapy.infusions:
        return None
    profile = therapy.infusions[option]
    if profile.no_prior_serious_reaction and any(r.serious for r in reactions):
        return f"{profile.title} is only for patients without a prior serious infusion reaction"
    return None
