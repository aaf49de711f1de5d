"""A center's overrides change its therapy values, keep the default on record, and reject bad values."""

from __future__ import annotations

import pytest

from msinfusion.therapies import OverrideError, Status, apply_overrides, load_catalog
from msinfusion.visits import visit_timeline


def test_override_replaces_the_value_and_keeps_the_default_in_the_note() -> None:
    base = load_catalog().get("mitoxantrone")
    local = apply_overrides(base, {"observation[0].minutes": 30})
    fact = local.observation[0].minutes
    assert fact.value == 30
    assert fact.status is Status.CENTER
    assert "catalog default 0 (unconfirmed)" in (fact.note or "")
    assert fact.source == base.observation[0].minutes.source
    assert base.observation[0].minutes.value == 0  # the catalog itself is untouched


def test_overridden_observation_flows_into_the_visit_timeline() -> None:
    local = apply_overrides(load_catalog().get("natalizumab"), {"observation[1].minutes": 30})
    assert visit_timeline(local, 13).phase_minutes("observation") == 30
    assert "observation time" not in visit_timeline(local, 13).needs_review


def test_period_values_can_be_overridden_as_text() -> None:
    local = apply_overrides(load_catalog().get("ocrelizumab-iv"), {"min_interval": "22 weeks"})
    assert local.min_interval is not None and str(local.min_interval.value) == "22 weeks"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"observation[9].minutes": 30}, "no value at"),
        ({"doses": 3}, "no value at"),
        ({"observation[0].minutes": "an hour"}, "observation.0.minutes.value"),
        ({"min_interval": "soon"}, "min_interval.value"),
    ],
)
def test_bad_overrides_are_refused_with_a_clear_message(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(OverrideError, match=message.replace("[", r"\[")):
        apply_overrides(load_catalog().get("natalizumab" if "doses" in overrides else "ocrelizumab-iv"), overrides)
