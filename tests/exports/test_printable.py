"""Printable plan: one accessible HTML document with a print stylesheet, in the patient's language."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from msinfusion.exports.printable import card_html, plan_html
from msinfusion.reminders import ReminderChannel
from msinfusion.therapies import load_catalog
from tests.exports.conftest import make_plan

CATALOG = load_catalog()


class Outline(HTMLParser):
    """Headings in order, the html lang attribute and any inline colour-only hints."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def expand(colour: str) -> str:
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


@pytest.mark.parametrize("therapy", CATALOG.ids)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_plan_is_one_html_document_with_lang_and_an_ordered_outline(therapy: str, locale: str) -> None:
    html = plan_html(make_plan(therapy, locale))
    parsed = outline(html)
    assert parsed.lang == locale
    assert parsed.headings.count(1) == 1 and parsed.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:], strict=False)), "skipped level"


def test_body_text_is_large_and_high_contrast() -> None:
    html = plan_html(make_plan())
    body = re.search(r"body \{(.*?)\}", html, re.S)
    assert body is not None
    size = re.search(r"font-size:\s*([\d.]+)rem", body.group(1))
    assert size is not None and float(size.group(1)) * 16 >= 18
    colour = re.search(r"color:\s*(#[0-9a-fA-F]{3,6})", body.group(1))
    background = re.search(r"background:\s*(#[0-9a-fA-F]{3,6})", body.group(1))
    assert colour and background
    assert contrast(expand(colour.group(1)), expand(background.group(1))) >= 7
    for grey in re.findall(r"\.muted \{ color: (#[0-9a-fA-F]{3,6})", html):
        assert contrast(expand(grey), "#ffffff") >= 7


def test_the_plan_prints_well_and_reflows_at_200_percent_zoom() -> None:
    html = plan_html(make_plan())
    assert "@media print" in html
    assert re.search(r"@media print \{.*?font-size: 1[4-9]pt", html, re.S), "print body text at least 14pt"
    assert not re.search(r"(?<!max-)width:\s*\d+px", html)
    assert 'name="viewport"' in html


def test_meaning_is_never_carried_by_colour_alone() -> None:
    html = plan_html(make_plan())  # the conftest patient answered yes to antibiotics
    assert "Call the center before you come" in html
    assert "⚠ Needs attention" in html


def test_the_plan_holds_the_visit_preparation_check_reminders_visits_and_card() -> None:
    html = plan_html(make_plan())
    for text in (
        "My next visit",
        "What happens during the visit",
        "Getting ready",
        "A week before",
        "After the visit",
        "Why: ",
        "Pre-infusion check",
        "Reminders",
        "All my visits",
        "My information card",
        "Ana Torres",
        "This plan helps you get ready",
    ):
        assert text in html, text


def test_the_printable_plan_lists_reminders_only_when_a_channel_sends_them() -> None:
    silent = plan_html(make_plan())
    assert "Reminders we send" not in silent
    assert "ask your infusion center to add your e-mail address" in silent
    sending = plan_html(make_plan(reminder_channels=[ReminderChannel(channel="email")]))
    assert "Reminders we send" in sending
    assert "we also send you these reminders by e-mail" in sending
    assert "Your infusion is tomorrow" in sending


def test_the_plan_is_in_spanish_for_a_spanish_speaking_patient() -> None:
    html = plan_html(make_plan(locale="es"))
    for text in ("Mi plan de infusión", "Cómo prepararse", "Qué ponerse", "Preguntas antes de la infusión"):
        assert text in html


def test_the_card_template_is_self_contained() -> None:
    html = card_html(make_plan())
    assert "<style>" in html
    assert not re.search(r"<link |<script|https?://", html)
