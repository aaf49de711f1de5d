"""The day board in Spanish: every text the board pages show (templates, refusals, step names, the change
table's words) has a Spanish entry that keeps its placeholders."""

from __future__ import annotations

import string

from tests.test_i18n import spanish_catalog
from tests.web.board_messages import board_messages


def test_every_board_message_has_a_spanish_entry_with_the_same_placeholders() -> None:
    catalog = spanish_catalog()
    messages = board_messages()
    assert len(messages) > 80
    missing = sorted(m for m in messages if not any(catalog.get(m, [])))
    assert missing == []
    for message in messages:
        wanted = {name for _, name, _, _ in string.Formatter().parse(message) if name}
        for text in catalog[message]:
            assert {name for _, name, _, _ in string.Formatter().parse(text) if name} == wanted, message
