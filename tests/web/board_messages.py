"""Every message id the day board pages can show (tests/test_i18n.py and the board's language test use it)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from babel.messages.extract import extract
from jinja2.ext import babel_extract

from msinfusion.board import CHECK_FLAGS, MARK_WORDS, STATE_WORDS, TIME_PROBLEMS, TIME_WORDS
from msinfusion.db.live_day import NO_DAY_SCHEDULE, PAST_DAY
from msinfusion.web.views.board import ALTERNATIVE_WORDS, CHANGE_WORDS, EVENT_WORDS

PACKAGE = Path(str(resources.files("msinfusion")))
TEMPLATES = [
    "board.html",
    "board_proposal.html",
    "board_alternative.html",
    "_board_change_table.html",
    "_board_chairs.html",
    "_board_replan_forms.html",
]
ROUTES = [
    "web/routes/staff/board.py",
    "web/routes/staff/board_replan.py",
    "web/routes/staff/board_alternatives.py",
    "web/views/board.py",
    "web/views/board_page.py",
]


def board_messages() -> set[str]:
    """Every message id the board pages can show."""
    found: set[str] = set()
    for name in TEMPLATES:
        with open(PACKAGE / "web/templates/staff" / name, "rb") as source:
            for _lineno, _func, text, _comments in babel_extract(source, ("_", "ngettext"), [], {}):
                first = text if isinstance(text, str) or text is None else text[0]
                if first:  # _(row.state_words) and the like: their texts are added below
                    found.add(first)
    for name in ROUTES:
        with open(PACKAGE / name, "rb") as source:
            for _lineno, message, _comments, _context in extract(
                "python", source, keywords={"say": (2,), "gettext": None}
            ):
                first = message if isinstance(message, str) else message[0]
                if first:
                    found.add(first)
    for words in (STATE_WORDS, MARK_WORDS, TIME_WORDS, TIME_PROBLEMS, CHANGE_WORDS, EVENT_WORDS, ALTERNATIVE_WORDS):
        found.update(words.values())
    found.update(words for _icon, words, _style in CHECK_FLAGS.values())
    found.update((NO_DAY_SCHEDULE, PAST_DAY))
    return found
