"""The information card: typed, validated details and a printable one-page card."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from pydantic import ValidationError

from msinfusion.card import CARD_FRESH_DAYS, CardDetails, card_details
from msinfusion.center import demo_center
from msinfusion.exports.printable import card_html
from msinfusion.plan import build_plan, patient_file
from msinfusion.therapies import load_catalog

TODAY = datetime.date(2026, 12, 1)
ISSUED = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def full_card(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Ana Torres",
        "date_of_birth": "1984-03-09",
        "allergies": [{"substance": "penicillin", "reaction": "hives"}],
        "medicines": [{"name": "vitamin D", "dose": "2000 IU", "how_often": "daily"}],
        "conditions": [{"name": "asthma"}],
        "emergency_contacts": [{"name": "Luis Torres", "relationship": "brother", "phone": "617-555-0123"}],
        "driver": {"name": "Marta Ruiz", "phone": "+1 617 555 0188"},
        "checked_on": "2026-11-20",
    }
    data.update(changes)
    return data


def test_a_complete_card_validates_and_normalises_phone_numbers() -> None:
    card = card_details(full_card(), today=TODAY)
    assert card.emergency_contacts[0].phone == "+16175550123"
    assert card.driver is not None and card.driver.phone == "+16175550188"
    assert card.missing() == []


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"emergency_contacts": [{"name": "Luis", "phone": "12"}]}, ("emergency_contacts", 0, "phone")),
        ({"date_of_birth": "1984-02-30"}, ("date_of_birth",)),
        ({"date_of_birth": "2030-01-01"}, ("date_of_birth",)),
        ({"checked_on": "2027-06-01"}, ("checked_on",)),
        ({"allergy": "latex"}, ("allergy",)),
        ({"driver": {"name": "", "phone": "6175550188"}}, ("driver", "name")),
    ],
)
def test_bad_card_data_names_the_field(changes: dict[str, Any], location: tuple[object, ...]) -> None:
    with pytest.raises(ValidationError) as error:
        card_details(full_card(**changes), today=TODAY)
    assert error.value.errors()[0]["loc"] == location


def test_no_known_allergies_cannot_come_with_listed_allergies() -> None:
    with pytest.raises(ValidationError, match="no_known_allergies"):
        card_details(full_card(no_known_allergies=True), today=TODAY)


def test_an_empty_card_lists_what_to_fill_in() -> None:
    assert CardDetails().missing() == ["name", "allergies", "medicines", "emergency_contacts"]
    assert "allergies" not in CardDetails(no_known_allergies=True).missing()


def test_a_card_is_current_only_when_complete_and_recently_checked() -> None:
    card = card_details(full_card(), today=TODAY)
    checked = datetime.date(2026, 11, 20)
    assert card.is_current(checked + datetime.timedelta(days=CARD_FRESH_DAYS))
    assert not card.is_current(checked + datetime.timedelta(days=CARD_FRESH_DAYS + 1))
    assert not CardDetails(name="Ana").is_current(checked)


def plan_with_card(card: dict[str, Any] | None, locale: str = "en") -> str:
    patient = patient_file({"card": card} if card else {}, today=TODAY)
    therapy = load_catalog().get("ocrelizumab-iv")
    plan = build_plan(
        therapy, datetime.date(2027, 1, 4), issued=ISSUED, patient=patient, locale=locale, center=demo_center()
    )
    return card_html(plan)


def test_the_printable_card_shows_every_part_of_the_card() -> None:
    html = plan_with_card(full_card())
    assert 'href="tel:+16175550123"' in html  # phone numbers can be tapped to call
    html = re.sub(r"</?a\b[^>]*>", "", html)  # the words as read
    for text in (
        "Ana Torres",
        "penicillin: hives",
        "vitamin D, 2000 IU, daily",
        "asthma",
        "Luis Torres (brother): (617) 555-0123",
        "Marta Ruiz: (617) 555-0188",
        "Ocrelizumab IV (OCREVUS), 300 mg",
        "Riverside Infusion Center, (413) 555-0142",
        "March 9, 1984",
    ):
        assert text in html


def test_an_empty_printable_card_leaves_lines_to_fill_in() -> None:
    html = plan_with_card(None)
    assert html.count('class="fill"') >= 8
    assert "Write your allergies here" in html


def test_the_printable_card_is_a_one_page_document_readable_at_large_text_sizes() -> None:
    html = plan_with_card(full_card())
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert len(re.findall(r"<h2[ >]", html)) == 1
    assert "@media print" in html
    assert "font-size: 1.25rem" in html  # 20px body text on screen
    assert not re.search(r"width:\s*\d+px", html), "fixed pixel widths break 200% zoom"


def test_the_printable_card_escapes_what_the_patient_typed() -> None:
    html = plan_with_card(full_card(name="<script>alert(1)</script>"))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_printable_card_is_in_spanish_for_a_spanish_speaking_patient() -> None:
    html = plan_with_card(full_card(), locale="es")
    assert '<html lang="es">' in html
    assert "Mi tarjeta de información" in html
    assert "Contactos de emergencia" in html
