"""Patient-facing languages: gettext catalogs read from the packaged ``.po`` files, and locale formats.

English is the source language (the message ids are our English text). Other languages are read
from ``locales/<lang>/LC_MESSAGES/msinfusion.po`` and compiled in memory the first time a translator
for that language is asked for, so a fresh clone works without a build step and no ``.mo`` file is
committed (``shared/reference/patient-experience.md`` §6).
"""

from __future__ import annotations

import datetime
import functools
import gettext as _gettext
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Annotated

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from pydantic import ValidatorFunctionWrapHandler, WrapValidator

DOMAIN = "msinfusion"
DEFAULT_LOCALE = "en"
LOCALES: tuple[str, ...] = ("en", "es")
"""Languages a patient can choose; English first."""


def N_(message: str) -> str:
    """Mark ``message`` for the catalog where it is defined; whoever shows it translates it then."""
    return message


class Message(str):
    """A sentence the core produced: the English text (a message id marked with :func:`N_`) and the
    values for its ``{name}`` fields.

    It *is* the English sentence (``str()``, JSON, the CLI and ``startswith`` see exactly the text they
    saw before), and a page shows it in its own language with :meth:`Translator.message`.
    """

    text: str
    values: dict[str, object]

    def __new__(cls, text: str, /, **values: object) -> Message:
        sentence = super().__new__(cls, text.format(**values) if values else text)
        sentence.text = text
        sentence.values = values
        return sentence

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, object]]:  # copy and pickle keep the id
        return (self.text,), self.values

    def in_language(self, gettext: Callable[[str], str]) -> str:
        """The sentence through ``gettext``, its values filled in (messages and lists of them nest)."""
        values = {name: _shown(value, gettext) for name, value in self.values.items()}
        return gettext(self.text).format(**values) if values else gettext(self.text)


def _keep_message(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    return value if isinstance(value, Message) else handler(value)


MessageText = Annotated[str, WrapValidator(_keep_message)]
"""A model field holding a sentence: a plain ``str`` in schemas and JSON, but a :class:`Message` given
to it stays one, so a page can still show it in its own language."""


def _shown(value: object, gettext: Callable[[str], str]) -> object:
    if isinstance(value, Message):
        return value.in_language(gettext)
    return value


class UnknownLocale(ValueError):
    """A language the plan is not translated into."""

    def __init__(self, locale: str) -> None:
        super().__init__(f"language {locale!r} is not available; choose one of: {', '.join(LOCALES)}")
        self.locale = locale


def po_text(locale: str) -> str:
    """The packaged ``.po`` catalog of ``locale`` as text."""
    path = resources.files("msinfusion").joinpath("locales", locale, "LC_MESSAGES", f"{DOMAIN}.po")
    return path.read_text(encoding="utf-8")


@functools.cache
def _translations(locale: str) -> _gettext.NullTranslations:
    if locale == DEFAULT_LOCALE:
        return _gettext.NullTranslations()
    catalog = read_po(io.StringIO(po_text(locale)), locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out: they are not reviewed translations
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@dataclass(frozen=True)
class Translator:
    """Messages, dates and times in one language."""

    locale: str
    translations: _gettext.NullTranslations

    def gettext(self, message: str) -> str:
        """``message`` (our English text) in this language."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for ``n`` in this language."""
        return self.translations.ngettext(singular, plural, n)

    def message(self, sentence: str) -> str:
        """A core :class:`Message` in this language; a plain text (e.g. stored before messages kept their
        id) through the catalog, so it shows as it was when the catalog does not have it."""
        if isinstance(sentence, Message):
            return sentence.in_language(self.gettext)
        if not sentence or self.locale == DEFAULT_LOCALE:
            return sentence
        translated = self.gettext(sentence)
        return translated if translated != sentence else self._filled(sentence)

    def _filled(self, sentence: str) -> str:
        """Stored English text read back into its message id and values, then shown in this language;
        the text unchanged when no message id with fields fits it."""
        for pattern, msgid in _patterns(self.locale):
            found = pattern.fullmatch(sentence)
            if found is not None:
                values = {name: self.message(value) for name, value in found.groupdict().items()}
                return _FIELD.sub(r"{\1}", self.gettext(msgid)).format(**values)
        return sentence

    def date(self, day: datetime.date, width: str = "full") -> str:
        """'Monday, January 4, 2027' / 'lunes, 4 de enero de 2027'."""
        return format_date(day, width, locale=self.locale)

    def time(self, moment: datetime.time | datetime.datetime) -> str:
        """'9:00 AM' / '9:00'."""
        clock = moment.time() if isinstance(moment, datetime.datetime) else moment
        return format_time(clock, "short", locale=self.locale)

    def duration(self, minutes: int) -> str:
        """'3 hours 30 minutes', '45 minutes'."""
        hours, rest = divmod(minutes, 60)
        parts = []
        if hours:
            parts.append(self.ngettext("{n} hour", "{n} hours", hours).format(n=hours))
        if rest or not hours:
            parts.append(self.ngettext("{n} minute", "{n} minutes", rest).format(n=rest))
        return " ".join(parts)


_FIELD = re.compile(r"\{(\w+)(?::[^{}]*)?\}")
_MIN_WORDING = 8
"""A message id read back from stored text needs this many characters besides its fields, so that a
loose id such as '{due}: {closed}' never claims an unrelated sentence."""


@functools.cache
def _patterns(locale: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each message id with fields in ``locale``'s catalog as a pattern over its English text, the
    most worded first."""
    ids = {m.id for m in read_po(io.StringIO(po_text(locale)), locale=locale, domain=DOMAIN) if isinstance(m.id, str)}
    found: list[tuple[int, re.Pattern[str], str]] = []
    for msgid in ids:
        wording = _FIELD.sub("", msgid)
        if "{" in wording or "}" in wording or len(wording) < _MIN_WORDING or wording == msgid:
            continue
        parts: list[str] = []
        seen: set[str] = set()
        end = 0
        for field in _FIELD.finditer(msgid):
            name = field.group(1)
            parts += [re.escape(msgid[end : field.start()]), f"(?P={name})" if name in seen else f"(?P<{name}>.*?)"]
            seen.add(name)
            end = field.end()
        parts.append(re.escape(msgid[end:]))
        found.append((len(wording), re.compile("".join(parts), re.DOTALL), msgid))
    return tuple((pattern, msgid) for _, pattern, msgid in sorted(found, key=lambda f: (-f[0], f[2])))


def translator(locale: str = DEFAULT_LOCALE) -> Translator:
    """The translator for ``locale`` ('en' or 'es'); :class:`UnknownLocale` for any other."""
    key = locale.strip().lower().replace("_", "-").split("-")[0]
    if key not in LOCALES:
        raise UnknownLocale(locale)
    return Translator(key, _translations(key))
