"""Account rules: what a username may be, which roles exist, and how long a set-password link lives.

Pure: the database adapter (:mod:`msinfusion.db.accounts`) stores what these rules allow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from msinfusion.i18n import N_

ROLES = ("patient", "nurse", "scheduler", "admin")
STAFF_ROLES = ("nurse", "scheduler", "admin")
# Not an Argon2 hash, so no password ever matches it: an invited account cannot sign in until its
# person sets a password with the one-time link.
UNUSABLE_PASSWORD = "!"

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")


class AccountProblem(ValueError):
    """An account change that cannot be made; the message says why in plain words.

    ``message`` is the English text with ``{name}`` fields and ``values`` fill them, so a page can show
    it in its own language (:meth:`in_language`); ``str()`` is the English sentence (the CLI's).
    """

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message.format(**values))
        self.message = message
        self.values = values

    def in_language(self, gettext: Callable[[str], str]) -> str:
        """The sentence through ``gettext`` (the catalog has every message marked with ``N_``)."""
        return gettext(self.message).format(**self.values)


def normal_username(name: str) -> str:
    """The stored form of a username (trimmed, lower case); raise :class:`AccountProblem` if it is not
    3 to 64 characters of letters, digits, dots, dashes or underscores, starting with a letter or digit."""
    value = name.strip().lower()
    if not _USERNAME.fullmatch(value):
        raise AccountProblem(
            N_(
                "A username has 3 to 64 letters, digits, dots, dashes or underscores, "
                "and starts with a letter or digit."
            )
        )
    return value


def check_role(role: str) -> str:
    """``role`` if it is one of :data:`ROLES`, else :class:`AccountProblem`."""
    if role not in ROLES:
        raise AccountProblem(N_("The role must be one of {roles}."), roles=", ".join(ROLES))
    return role


def link_expires_at(issued_at: datetime, hours: int) -> datetime:
    """When a set-password link issued at ``issued_at`` stops working."""
    return issued_at + timedelta(hours=hours)


def link_is_live(expires_at: datetime, used_at: datetime | None, revoked_at: datetime | None, now: datetime) -> bool:
    """A link works once, before it expires, unless a newer link or a disabled account revoked it."""
    return used_at is None and revoked_at is None and now < expires_at
