"""Looking therapies up and listing what needs review."""

from __future__ import annotations

import pytest

from msinfusion.therapies import UnknownTherapy, load_catalog, review_items


@pytest.mark.parametrize(
    ("name", "therapy_id"),
    [
        ("ocrelizumab-iv", "ocrelizumab-iv"),
        ("OCREVUS", "ocrelizumab-iv"),
        ("Tysabri", "natalizumab"),
        ("TYRUKO", "natalizumab-sztn"),
        ("briumvi", "ublituximab"),
        ("lemtrada", "alemtuzumab"),
    ],
)
def test_catalog_finds_a_therapy_by_id_or_brand(name: str, therapy_id: str) -> None:
    assert load_catalog().get(name).id == therapy_id


def test_unknown_therapy_error_lists_the_known_ones() -> None:
    with pytest.raises(UnknownTherapy) as info:
        load_catalog().get("interferon")
    assert "interferon" in str(info.value)
    assert "ocrelizumab-iv" in str(info.value) and "natalizumab" in str(info.value)


def test_plain_generic_name_means_the_product_with_exactly_that_generic() -> None:
    # the SC product's generic is "ocrelizumab and hyaluronidase-ocsq", so "ocrelizumab" is the IV one
    assert load_catalog().get("ocrelizumab").id == "ocrelizumab-iv"


def test_review_lists_every_unconfirmed_value_with_its_source() -> None:
    items = review_items(load_catalog())
    paths = {(i.therapy, i.path) for i in items}
    assert ("ocrelizumab-iv", "min_interval") in paths
    assert ("natalizumab-sztn", "observation[0].minutes") in paths
    assert ("alemtuzumab", "missed_dose") in paths
    assert all(item.sources for item in items)
    assert not any(i.therapy == "natalizumab" and i.path.startswith("observation") for i in items)
