"""Statuses are no stronger than their sources (shared/labels), and unconfirmed values lean to the safer side."""

from __future__ import annotations

from msinfusion.therapies import Status, load_catalog

CATALOG = load_catalog()


def test_alemtuzumab_premedication_timing_is_secondary_not_label() -> None:
    """alemtuzumab.md: 'timing (immediately before infusion, days 1-3 of every course) SECONDARY'."""
    timing = CATALOG.get("alemtuzumab").premedication[0].minutes_before
    assert timing is not None and timing.status is Status.SECONDARY


def test_the_touch_checklist_from_a_2013_copy_is_unconfirmed() -> None:
    """natalizumab.md: the checklist is a 2013 copy [S6]; the REMS changed 08/2023 and the form was not seen [S18]."""
    touch = next(m for m in CATALOG.get("natalizumab").monitoring if m.check == "touch-authorization")
    assert touch.fact.status is Status.UNCONFIRMED and "S18" in touch.fact.source


def test_ublituximab_bag_volumes_derived_from_eu_concentrations_are_secondary() -> None:
    """ublituximab.md: 250 mL is derived from the EU concentrations [S8]; the US figure is a third-party summary."""
    for profile in CATALOG.get("ublituximab").infusions.values():
        assert profile.volume_ml is not None and profile.volume_ml.status is Status.SECONDARY


def test_unconfirmed_tyruko_observation_uses_the_longer_time_from_infusion_13() -> None:
    """natalizumab.md: 'Until the TYRUKO label is read, plan 60 minutes after every TYRUKO infusion'."""
    therapy = CATALOG.get("natalizumab-sztn")
    assert {rule.minutes.value for rule in therapy.observation} == {60}


def test_every_check_before_each_dose_has_an_id() -> None:
    for therapy in CATALOG:
        for item in therapy.monitoring:
            assert not item.before_each_dose or item.check
