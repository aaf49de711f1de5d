"""Every override keeps to a range from its meaning, and no accepted override can break a plan or a day board."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msinfusion.exports.text import plan_text
from msinfusion.plan import build_plan
from msinfusion.scheduling.day import Phase
from msinfusion.therapies import OverrideError, Status, Therapy, apply_overrides, load_catalog
from msinfusion.therapies.catalog import all_facts
from msinfusion.visits import phases_for_treatment, treatment_codes, visit_timeline


def _therapy(name: str) -> Therapy:
    return load_catalog().get(name)


@pytest.mark.parametrize("minutes", [-5, 100000, 1441])
def test_an_observation_outside_0_to_24_hours_is_refused_naming_the_field(minutes: int) -> None:
    with pytest.raises(OverrideError, match=r"observation\[0\]\.minutes") as caught:
        apply_overrides(_therapy("ocrelizumab-iv"), {"observation[0].minutes": minutes})
    assert caught.value.field == "observation[0].minutes"


def test_an_observation_below_the_label_minimum_needs_a_clinician_reason() -> None:
    therapy = _therapy("ocrelizumab-iv")  # OCREVUS: at least one hour after each infusion [S2, S9]
    with pytest.raises(OverrideError, match="clinician's written reason"):
        apply_overrides(therapy, {"observation[0].minutes": 30})
    local = apply_overrides(therapy, {"observation[0].minutes": 30}, reasons={"observation[0].minutes": "trial"})
    assert local.observation[0].minutes.value == 30
    assert local.observation[0].minutes.status is Status.CENTER


@pytest.mark.parametrize(
    ("therapy_id", "path", "looser", "stricter"),
    [
        ("ocrelizumab-iv", "infusion_reaction.rate_factor", 1.0, 0.25),  # half the rate at onset [S6]
        ("ocrelizumab-iv", "infusion_reaction.reduced_minutes", 1, 45),  # at least 30 minutes [S6]
        ("rituximab", "regimen.initial_min_interval", "1 days", "2 weeks"),  # 2 weeks apart [S4]
        ("ocrelizumab-iv", "min_interval", "1 months", "6 months"),
    ],
)
def test_loosening_a_safety_value_needs_a_clinician_reason_and_tightening_does_not(
    therapy_id: str, path: str, looser: object, stricter: object
) -> None:
    therapy = _therapy(therapy_id)
    with pytest.raises(OverrideError, match="clinician's written reason") as caught:
        apply_overrides(therapy, {path: looser})
    assert caught.value.field == path
    apply_overrides(therapy, {path: looser}, reasons={path: "protocol agreed with the neurologist"})
    apply_overrides(therapy, {path: stricter})


def test_initial_doses_closer_than_the_minimum_gap_are_refused() -> None:
    # Rituximab: the two 1,000 mg infusions 2 weeks apart, kept as a minimum [rituximab:S4].
    with pytest.raises(OverrideError, match="keep 14 days") as caught:
        apply_overrides(_therapy("rituximab"), {"regimen.initial[1]": "7 days"})
    assert caught.value.field == "regimen.initial[1]"


def test_a_longer_observation_needs_no_reason() -> None:
    assert (
        apply_overrides(_therapy("ocrelizumab-iv"), {"observation[0].minutes": 90}).observation[0].minutes.value == 90
    )


@pytest.mark.parametrize(
    ("therapy", "path", "value"),
    [
        ("natalizumab", "infusions.standard.fixed_minutes", 0),
        ("natalizumab", "infusions.standard.fixed_minutes", 2000),
        ("ocrelizumab-iv", "premedication[0].minutes_before", -10),
        ("ocrelizumab-iv", "dosing[1].amount", 99999),
        ("ocrelizumab-iv", "dosing[1].amount", 0),
        ("ocrelizumab-iv", "infusions.standard.volume_ml", 0),
        ("ocrelizumab-iv", "infusions.standard.volume_ml", 100000),
        ("mitoxantrone", "cumulative_cap.limits.US", 200),
        ("mitoxantrone", "cumulative_cap.limits.US", -1),
        ("alemtuzumab", "regimen.planned[0].days", 9),
        ("ocrelizumab-iv", "min_interval", "0 days"),
        ("ocrelizumab-iv", "regimen.initial[1]", "0 days"),
        ("ocrelizumab-iv", "regimen.maintenance.anchor_dose", 5),
        ("rituximab", "dosing[0].amount", 5000),
    ],
)
def test_values_outside_their_meaning_are_refused(therapy: str, path: str, value: object) -> None:
    path = path.rstrip(".")
    with pytest.raises(OverrideError) as caught:
        apply_overrides(_therapy(therapy), {path: value})
    assert caught.value.field == path
    assert path in str(caught.value)


def test_a_dose_within_the_catalog_doses_is_accepted() -> None:
    assert apply_overrides(_therapy("ocrelizumab-iv"), {"dosing[1].amount": 300}).dosing[1].amount.value == 300


def _numeric_paths(therapy: Therapy) -> list[str]:
    return [p for p, f in all_facts(therapy) if isinstance(f.value, int | float) and not isinstance(f.value, bool)]


NUMERIC = [(t.id, p) for t in load_catalog() for p in _numeric_paths(t)]


def _must_not_fail(local: Therapy) -> None:
    bsa = 1.8 if local.dose_unit == "mg/m2" else None
    plan = build_plan(local, datetime.date(2027, 1, 4), issued=datetime.datetime(2027, 1, 1, 9, 0), bsa=bsa)  # noqa: DTZ001 - wall clock
    assert plan.therapy_id == local.id  # a low cap may leave no visit; nothing raised
    for visit in plan.visits:
        assert 0 < visit.timeline.chair_minutes <= 3 * 24 * 60
    assert plan_text(plan)
    for code, spec in treatment_codes().items():
        if spec.therapy == local.id:
            phases = phases_for_treatment(code, therapy=local)
            # the day board and the scheduler take these phases as they are
            assert [Phase(name=p.name, minutes=p.minutes, nurse_minutes=p.nurse_minutes) for p in phases]
    for step in local.dosing:
        visit_timeline(local, step.doses.first, dose_mg=step.amount.value * (bsa or 1))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    target=st.sampled_from(NUMERIC),
    value=st.one_of(st.integers(-200_000, 200_000), st.floats(-1e6, 1e6, allow_nan=False)),
)
def test_no_accepted_numeric_override_can_break_a_plan_or_the_board(target: tuple[str, str], value: float) -> None:
    therapy_id, path = target
    therapy = _therapy(therapy_id)
    try:
        local = apply_overrides(therapy, {path: value}, reasons={path: "clinician reason on file"})
    except OverrideError as exc:
        assert exc.field == path  # noqa: PT017 - either refused with the field named, or harmless
        return
    _must_not_fail(local)


@pytest.mark.parametrize("target", NUMERIC, ids=[f"{t}:{p}" for t, p in NUMERIC])
@pytest.mark.parametrize("value", [-5, 0, 1, 100000])
def test_edge_values_of_every_numeric_override_are_refused_or_harmless(target: tuple[str, str], value: int) -> None:
    therapy_id, path = target
    try:
        local = apply_overrides(_therapy(therapy_id), {path: value}, reasons={path: "clinician reason on file"})
    except OverrideError as exc:
        assert exc.field == path  # noqa: PT017 - either refused with the field named, or harmless
        return
    _must_not_fail(local)
