"""Every therapy data file loads through the typed models and cites real sources."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from msinfusion.therapies import Status, Therapy, load_catalog
from msinfusion.therapies.catalog import all_facts, data_files, load_therapy

LABELS = Path(__file__).resolve().parents[3] / "shared" / "labels"
FILES = data_files()


def test_there_is_one_data_file_per_catalog_therapy() -> None:
    assert len(FILES) == len(load_catalog().ids) == 9


@pytest.mark.parametrize("filename", FILES)
def test_data_file_loads_only_through_the_model(filename: str) -> None:
    therapy = load_therapy(filename)
    assert isinstance(therapy, Therapy)
    assert f"{therapy.id}.yaml" == filename


@pytest.mark.parametrize("filename", FILES)
def test_every_clinical_value_cites_a_source_listed_in_the_file(filename: str) -> None:
    therapy = load_therapy(filename)
    facts = all_facts(therapy)
    assert facts, "a therapy without sourced values"
    for path, fact in facts:
        for sid in fact.source:
            if ":" in sid:
                continue  # cites another labels file, checked below
            assert sid in therapy.sources, f"{therapy.id} {path} cites {sid}, not in its sources"


@pytest.mark.parametrize("filename", FILES)
def test_cited_source_ids_exist_in_the_shared_labels_file(filename: str) -> None:
    if not LABELS.is_dir():
        pytest.fail(f"shared/labels not found at {LABELS}")
    therapy = load_therapy(filename)
    text = (LABELS / therapy.labels_file).read_text(encoding="utf-8")
    for sid in therapy.sources:
        assert re.search(rf"^- \[{sid}\]", text, re.MULTILINE), f"{sid} not in {therapy.labels_file}"
    for _, fact in all_facts(therapy):
        for sid in fact.source:
            if ":" in sid:
                other, _, number = sid.partition(":")
                other_text = (LABELS / f"{other}.md").read_text(encoding="utf-8")
                assert re.search(rf"^- \[{number}\]", other_text, re.MULTILINE)


@pytest.mark.parametrize("filename", FILES)
def test_data_file_rejects_unknown_fields(filename: str) -> None:
    raw = yaml.safe_load(resources.files("msinfusion.therapies").joinpath(filename).read_text(encoding="utf-8"))
    raw["dose_every_so_often"] = 3
    with pytest.raises(ValueError, match="dose_every_so_often"):
        Therapy.model_validate(raw)


def test_unconfirmed_label_values_stay_unconfirmed_in_our_data() -> None:
    """Values the labels files mark UNCONFIRMED are flagged for review in the catalog."""
    catalog = load_catalog()
    assert catalog.get("ocrelizumab-iv").min_interval is not None
    assert catalog.get("ocrelizumab-iv").min_interval.status is Status.UNCONFIRMED  # type: ignore[union-attr]
    tyruko = catalog.get("tyruko")
    assert all(rule.minutes.status is Status.UNCONFIRMED for rule in tyruko.observation)
    mitox = catalog.get("mitoxantrone")
    assert mitox.observation[0].minutes.status is Status.UNCONFIRMED


def test_rituximab_is_flagged_off_label() -> None:
    rituximab = load_catalog().get("rituximab")
    assert rituximab.approval == "off-label"
    assert any("OFF-LABEL" in flag for flag in rituximab.flags)
    assert all(step.amount.needs_review for step in rituximab.dosing)


def test_the_reduced_rate_after_an_infusion_reaction_comes_from_the_labels_with_sources() -> None:
    from msinfusion.visits import infusion_reaction_for_treatment

    for code in ("ocrelizumab-600", "ublituximab-450", "rituximab-1000"):
        rule = infusion_reaction_for_treatment(code)
        assert rule is not None and rule.rate_factor.value == 0.5 and rule.rate_factor.source
    # The natalizumab label says to stop the infusion; it gives no reduced rate to go on at.
    assert infusion_reaction_for_treatment("natalizumab-300") is None


def test_a_reduced_rate_must_be_a_fraction_of_the_rate_at_onset() -> None:
    from pydantic import ValidationError

    from msinfusion.therapies import InfusionReaction

    with pytest.raises(ValidationError, match="rate_factor must be in"):
        InfusionReaction.model_validate({"rate_factor": {"value": 2.0, "source": "S1", "status": "label"}})
