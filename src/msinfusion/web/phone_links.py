"""Tap-to-call: phone numbers inside a text become ``tel:`` links, the rest of the text stays escaped.

The text is split at the numbers ``phonenumbers`` finds (valid numbers only, read in the center's
region when they have no ``+``); every piece is escaped on its own and each number is wrapped in a link
whose target is the number's E.164 form, which holds only ``+`` and digits. So nothing in the text can
become markup, whatever it contains.
"""

from __future__ import annotations

import phonenumbers
from markupsafe import Markup, escape


def linked_phones(text: object, region: str = "US") -> Markup:
    """``text`` escaped, with every valid phone number in it as ``<a href="tel:+1...">`` (words unchanged)."""
    if text is None:
        return Markup("")
    if isinstance(text, Markup):  # already markup a template built (maybe with its own links): keep it as it is
        return text
    value = str(text)
    parts: list[str] = []
    end = 0
    for match in phonenumbers.PhoneNumberMatcher(value, region.upper(), leniency=phonenumbers.Leniency.VALID):
        target = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        parts.append(str(escape(value[end : match.start])))
        parts.append(f'<a class="tel" href="tel:{escape(target)}">{escape(match.raw_string)}</a>')
        end = match.end
    parts.append(str(escape(value[end:])))
    return Markup("".join(parts))
