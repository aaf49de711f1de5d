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
from dataclasses import dataclass
from importlib import resources

from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

DOMAIN = "msinfusion"
DEFAULT_LOCALE = "en"
LOCALES: tuple[str, ...] = ("en", "es")
"""Languages a patient can choose; English first."""


def N_(message: str) -> str:
    """Mark ``message`` for the catalog where it is defined; whoever shows it translates it then."""
    return message


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


def translator(locale: str = DEFAULT_LOCALE) -> Translator:
    """The translator for ``locale`` ('en' or 'es'); :class:`UnknownLocale` for any other."""
    key = locale.strip().lower().replace("_", "-").split("-")[0]
    if key not in LOCALES:
        raise UnknownLocale(locale)
    return Translator(key, _translations(key))
