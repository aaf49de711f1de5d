"""A message the core builds is its English sentence everywhere text is expected, and a page shows it
in its own language; plain stored text still shows."""

from __future__ import annotations

import copy
import json
import pickle

from msinfusion.i18n import Message, translator


def test_a_message_is_its_english_sentence_for_the_cli_and_json() -> None:
    note = Message("given {days} days after its window", days=3)
    assert note == "given 3 days after its window"
    assert json.dumps([note]) == '["given 3 days after its window"]'
    assert translator("en").message(note) == "given 3 days after its window"


def test_a_page_shows_a_message_in_its_language_with_nested_messages_translated() -> None:
    assert translator("es").message(Message("given {days} days after its window", days=3)) == (
        "administrada 3 días después de su ventana"
    )
    inner = Message("missed: give as soon as possible")
    assert (
        translator("es")
        .message(Message("{check} is required before each dose", check=inner))
        .startswith("dosis perdida")
    )


def test_text_stored_before_messages_kept_their_id_still_shows() -> None:
    assert translator("es").message("typed by a nurse") == "typed by a nurse"
    assert translator("es").message("missed: give as soon as possible") == "dosis perdida: administrar lo antes posible"


def test_copies_keep_the_message_id_and_values() -> None:
    note = Message("given {days} days after its window", days=3)
    for kept in (copy.deepcopy(note), pickle.loads(pickle.dumps(note))):
        assert isinstance(kept, Message) and kept.text == note.text and kept.values == {"days": 3}


def test_stored_english_is_read_back_into_its_message_and_shown_in_spanish() -> None:
    spanish = translator("es")
    assert spanish.message("2027-06-01 is in the future (today is 2027-03-01)") == (
        "2027-06-01 es una fecha futura (hoy es 2027-03-01)"
    )
    stored = "step: dose 9 is past the end of the planned regimen (confirmed by Dr Lee: checked: fine)"
    assert spanish.message(stored) == (
        "step: la dosis 9 está fuera del final de la pauta prevista (confirmado por Dr Lee: checked: fine)"
    )
    assert translator("en").message(stored) == stored
