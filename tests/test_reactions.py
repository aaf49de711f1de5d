"""A recorded infusion reaction turns observation back on, gates re-treatment and the short OCREVUS option."""

from __future__ import annotations

from datetime import date

from msinfusion.reactions import Reaction, observation_for, option_problem, retreatment_gate
from msinfusion.therapies import load_catalog
from msinfusion.visits import visit_timeline

MILD = Reaction(dose_number=2, date=date(2027, 1, 18))
SERIOUS = Reaction(dose_number=14, date=date(2028, 1, 3), serious=True)


def test_ublituximab_observation_is_back_on_after_a_reaction() -> None:
    """'Subsequent infusions do not require monitoring post-infusion unless IRR ... has been observed' (S10)."""
    therapy = load_catalog().get("ublituximab")
    assert observation_for(therapy, 3, []).minutes == 0
    decision = observation_for(therapy, 3, [MILD])
    assert decision.minutes == 60 and decision.turned_back_on
    assert "S10" in decision.fact.source


def test_natalizumab_observation_from_infusion_13_is_back_on_after_a_reaction() -> None:
    """'For patients who have shown no evidence of a hypersensitivity reaction' only (natalizumab S5)."""
    therapy = load_catalog().get("natalizumab")
    assert observation_for(therapy, 13, []).minutes == 0
    assert observation_for(therapy, 13, [MILD]).minutes == 60
    assert visit_timeline(therapy, 13, after_reaction=True).phase_minutes("observation") == 60


def test_a_reaction_after_a_later_dose_does_not_change_an_earlier_one() -> None:
    therapy = load_catalog().get("ublituximab")
    assert not observation_for(therapy, 3, [Reaction(5, date(2028, 1, 1))]).turned_back_on


def test_tyruko_observation_from_infusion_13_stays_at_60_minutes_until_confirmed() -> None:
    """TYRUKO wording unconfirmed: 'plan 60 minutes after every TYRUKO infusion (the safer side)' (natalizumab.md)."""
    fact = load_catalog().get("natalizumab-sztn").observation_minutes(13)
    assert fact.value == 60 and fact.needs_review


def test_natalizumab_retreatment_after_a_serious_reaction_needs_a_clinician() -> None:
    therapy = load_catalog().get("natalizumab")
    assert not retreatment_gate(therapy, [MILD]).needs_clinician
    gate = retreatment_gate(therapy, [MILD, SERIOUS])
    assert gate.needs_clinician and gate.sources == ("S5",) and "after dose 14" in (gate.reason or "")


def test_the_two_hour_ocrevus_infusion_is_refused_after_a_serious_reaction() -> None:
    therapy = load_catalog().get("ocrelizumab-iv")
    assert option_problem(therapy, "short", [MILD]) is None
    assert "without a prior serious infusion reaction" in (option_problem(therapy, "short", [SERIOUS]) or "")
