"""Translations: every patient-facing message has a reviewed Spanish text, and formats follow the locale."""

from __future__ import annotations

import ast
import datetime
import io
import re
import string
from importlib import resources
from pathlib import Path

import pytest
import yaml
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from msinfusion.i18n import LOCALES, UnknownLocale, po_text, translator
from tests.web.board_messages import board_messages

PACKAGE = Path(str(resources.files("msinfusion")))
PYTHON_SOURCES = [
    "i18n.py",
    "screening.py",
    *sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "preparation").rglob("*.py")),
    "plan.py",
    "card.py",
    "center.py",
    "exports/ical.py",
    *sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "exports" / "fhir").glob("*.py")),
    "exports/text.py",
    "exports/printable.py",
    # Reminders and notices (issue 12): the rule texts and the messages sent to patients.
    "reminders/rules.py",
    "reminders/messages.py",
    # The patient web pages (issue 5): their Python messages and templates.
    "db/patient_plan.py",
    "web/views/card_form.py",
    "web/routes/patient/plan.py",
    "web/routes/patient/calendar.py",
    # Reminders pages and the links in our e-mails (issue 12, commsweb).
    "web/routes/patient/reminders.py",
    "web/routes/mail_links.py",
    "web/problems.py",
    # The visit lifecycle (issue 14): patients ask to change a visit; the booking pages' messages.
    "web/routes/patient/change_requests.py",
    "db/bookings_requests.py",
    "db/bookings.py",
    # Regimen booking as a job (issue 10): the run's errors and refusals.
    "db/booking_runs.py",
    "web/routes/staff/booking_runs.py",
    "db/bookings_center.py",  # the center editor's planning fieldset (issue 13, centerplan)
    "web/booking_changes.py",
    "web/routes/staff/change_requests.py",
    # Staff pages and the second sign-in step are translated too (issue 12, i18n).
    "accounts.py",
    "db/accounts.py",
    "visits.py",
    "web/charts.py",
    "web/code_names.py",
    "web/views/day_schedule.py",
    "db/day_schedule/day.py",
    "db/day_schedule/changes.py",
    "prescriptions.py",
    "db/patient_records.py",
    "db/clinical_records.py",
    "web/routes/mfa.py",
    "web/routes/staff/schedule.py",
    "web/routes/staff/patients.py",
    "web/routes/staff/users.py",
    "web/routes/staff/messages.py",
    # Messages the core builds (issue 12, i18n2): calendar notes and dose-record refusals.
    "regimens.py",
    "dose_records.py",
    "dose_problems.py",
    # The booking engine's reasons on the booking preview (issue 12, i18n2).
    "booking/reasons.py",
    "booking/openings.py",
    # The optimizer's reasons for leaving a visit off the day (staff day schedule).
    "scheduling/reasons.py",
    # The live day's notes and warnings on the board's proposals (issue 12, i18n3).
    "scheduling/repair.py",
    "scheduling/addon.py",
    "scheduling/alternatives.py",
    "scheduling/addon_alternatives.py",
    # A visit booked on a day that breaks a rule; the dose calendar's warnings (issue 12, i18n3).
    "db/visit_changes.py",
    "lifetime_caps.py",
]
# Every page: patient pages, pages before sign-in, error pages, e-mails, printables and staff pages.
TEMPLATE_DIRS = ["exports/templates", "web/templates"]
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "_": None, "N_": None}


def message_ids() -> dict[str, str]:
    """Every message id the plan can show, with where it comes from (singular id for plurals)."""
    found: dict[str, str] = {}
    for name in PYTHON_SOURCES:
        with open(PACKAGE / name, "rb") as source:
            for lineno, message, _comments, _context in extract("python", source, keywords=KEYWORDS):
                found.setdefault(message if isinstance(message, str) else str(message[0]), f"{name}:{lineno}")
    templates = [path for folder in TEMPLATE_DIRS for path in sorted((PACKAGE / folder).rglob("*.html"))]
    for template in templates:
        with open(template, "rb") as source:
            for lineno, _func, text, _comments in babel_extract(source, ("_", "gettext", "ngettext"), [], {}):
                if not text or not (text if isinstance(text, str) else text[0]):
                    continue  # `_(variable)`: a message marked where it is defined (N_), checked there
                found.setdefault(
                    text if isinstance(text, str) else str(text[0] if text else ""), f"{template.name}:{lineno}"
                )
    for data_file in sorted((PACKAGE / "screening_data").glob("*.yaml")):
        for question in yaml.safe_load(data_file.read_text(encoding="utf-8"))["questions"]:
            for key in ("text", "reason", "advice"):
                if question.get(key):
                    found.setdefault(question[key], data_file.name)
            for rule in question.get("overrides", {}).values():
                found.setdefault(rule["reason"], data_file.name)
                if rule.get("text"):
                    found.setdefault(rule["text"], data_file.name)
    for message in board_messages():  # the day board follows the language switch (issue 13, branch board)
        found.setdefault(message, "day board")
    for data_file in sorted((PACKAGE / "therapies").glob("*.yaml")):
        therapy = yaml.safe_load(data_file.read_text(encoding="utf-8"))
        found.setdefault(therapy["patient_summary"], data_file.name)
        for premedication in therapy.get("premedication", []):
            found.setdefault(premedication["drug"], data_file.name)
        for task in therapy.get("patient_tasks", []):
            for text in (task["title"], task["detail"], task["reason"], *task.get("items", [])):
                found.setdefault(text, data_file.name)
    return found


def spanish_catalog() -> dict[str, list[str]]:
    catalog = read_po(io.StringIO(po_text("es")), locale="es")
    entries: dict[str, list[str]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
        entries[msgid] = strings
    return entries


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_english_is_the_default_and_spanish_is_available() -> None:
    assert LOCALES == ("en", "es")
    assert translator().locale == "en"
    assert translator("es-MX").locale == "es"


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(UnknownLocale, match="en, es"):
        translator("fr")


def test_every_patient_facing_message_has_a_spanish_translation() -> None:
    catalog = spanish_catalog()
    missing = {msgid: where for msgid, where in message_ids().items() if not all(catalog.get(msgid, [""]))}
    assert not missing, f"untranslated (add to locales/es/LC_MESSAGES/msinfusion.po): {missing}"


def test_the_spanish_catalog_holds_no_stale_messages() -> None:
    stale = set(spanish_catalog()) - set(message_ids())
    assert not stale


def test_translations_keep_every_placeholder() -> None:
    for msgid, strings in spanish_catalog().items():
        for text in strings:
            assert placeholders(text) == placeholders(msgid), msgid


def test_spanish_messages_come_from_the_catalog_compiled_in_memory() -> None:
    es = translator("es")
    assert es.gettext("Infusion appointment") == "Cita de infusión"
    assert es.gettext("Pack your bag") == "Prepare su bolsa"
    assert translator("en").gettext("Pack your bag") == "Pack your bag"


def test_no_compiled_catalog_is_committed() -> None:
    assert not list((PACKAGE / "locales").rglob("*.mo"))


@pytest.mark.parametrize(
    ("minutes", "english", "spanish"),
    [(45, "45 minutes", "45 minutos"), (60, "1 hour", "1 hora"), (150, "2 hours 30 minutes", "2 horas 30 minutos")],
)
def test_durations_read_naturally_in_both_languages(minutes: int, english: str, spanish: str) -> None:
    assert translator("en").duration(minutes) == english
    assert translator("es").duration(minutes) == spanish


def test_dates_and_times_follow_the_patients_locale() -> None:
    day = datetime.date(2027, 1, 4)
    assert translator("en").date(day) == "Monday, January 4, 2027"
    assert translator("es").date(day) == "lunes, 4 de enero de 2027"
    afternoon = datetime.time(13, 30)
    assert re.fullmatch(r"1:30\sPM", translator("en").time(afternoon))
    assert translator("es").time(afternoon) == "13:30"


def test_error_page_titles_and_the_common_refusals_have_spanish_text() -> None:
    from msinfusion.web.problems import PAGE_TITLES, REFUSALS
    from msinfusion.web.routes.auth import THROTTLED, WRONG_CREDENTIALS

    assert {THROTTLED, WRONG_CREDENTIALS} <= set(REFUSALS)
    spanish = translator("es")
    untranslated = [m for m in [*PAGE_TITLES.values(), *REFUSALS] if spanish.gettext(m) == m]
    assert untranslated == []


def po_entry_keys(text: str) -> list[tuple[tuple[str | None, str], int]]:
    """Every entry of a .po text as ((msgctxt, msgid), line of its msgid), in file order, duplicates kept.

    Babel's reader merges an msgid given twice (the last one wins), so duplicates are found on the text.
    Obsolete (``#~``) entries and comments are skipped; continued strings are joined.
    """
    keys: list[tuple[tuple[str | None, str], int]] = []
    context: str | None = None
    field: str | None = None
    parts: dict[str, list[str]] = {}
    start = 0

    def close() -> None:
        if "msgid" in parts:
            keys.append(((context, "".join(parts["msgid"])), start))

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            if field is not None:
                parts.setdefault(field, []).append(ast.literal_eval(line))
            continue
        if keyword == "msgctxt" or (keyword == "msgid" and field != "msgctxt"):
            close()
            parts = {}
        field = keyword.split("[")[0]
        if field == "msgid":
            start = number
            context = "".join(parts["msgctxt"]) if "msgctxt" in parts else None
        parts[field] = [ast.literal_eval(rest)]
    close()
    return keys


def duplicate_entries(text: str) -> dict[tuple[str | None, str], list[int]]:
    """The (msgctxt, msgid) keys given more than once, with the lines of each copy."""
    lines: dict[tuple[str | None, str], list[int]] = {}
    for key, number in po_entry_keys(text):
        lines.setdefault(key, []).append(number)
    return {key: found for key, found in lines.items() if len(found) > 1}


def test_the_duplicate_finder_reads_contexts_continued_lines_and_plurals() -> None:
    text = (
        'msgid ""\nmsgstr ""\n"Language: es\\n"\n\n'
        'msgid "Chair"\nmsgstr "Sillón"\n\n'
        'msgctxt "furni"\n"ture"\nmsgid "Chair"\nmsgstr "Silla"\n\n'
        'msgid ""\n"Long "\n"text"\nmsgstr "Texto largo"\n\n'
        'msgid "{n} visit"\nmsgid_plural "{n} visits"\nmsgstr[0] "{n} visita"\nmsgstr[1] "{n} visitas"\n\n'
        '#~ msgid "Chair"\n#~ msgstr "Viejo"\n'
    )
    assert duplicate_entries(text) == {}
    assert [key for key, _ in po_entry_keys(text)] == [
        (None, ""),
        (None, "Chair"),
        ("furniture", "Chair"),
        (None, "Long text"),
        (None, "{n} visit"),
    ]
    merged = text + '\n# --- branch other ---\nmsgid "Long text"\nmsgstr "Otra"\n'
    assert duplicate_entries(merged) == {(None, "Long text"): [13, 27]}


def test_the_spanish_catalog_gives_each_message_once() -> None:
    text = po_text("es")
    assert len(po_entry_keys(text)) > len(spanish_catalog())  # the reader found every entry (and the header)
    duplicates = duplicate_entries(text)
    assert not duplicates, f"entries given twice in the Spanish .po (keep one of each): {duplicates}"
