"""The mail configuration: back-off doubles up to its ceiling, links are built on the public URL."""

from __future__ import annotations

import datetime

import pytest
from pydantic import ValidationError

from msinfusion.outbox import MailConfig
from msinfusion.outbox.config import SETTINGS_ROWS


def test_the_retry_delay_doubles_after_each_failed_attempt_up_to_the_ceiling() -> None:
    config = MailConfig(signing_secret="s", retry_base_seconds=60, retry_max_seconds=300)
    delays = [config.retry_delay(n).total_seconds() for n in range(1, 6)]
    assert delays == [60, 120, 240, 300, 300]


def test_links_are_built_on_the_public_url_without_a_double_slash() -> None:
    config = MailConfig(signing_secret="s", public_base_url="https://clinic.example/")
    assert config.unsubscribe_url("t") == "https://clinic.example/unsubscribe/t"
    assert config.verify_url("t") == "https://clinic.example/verify-email/t"
    assert config.sending_lease == datetime.timedelta(minutes=15)


def test_a_signing_secret_is_required() -> None:
    with pytest.raises(ValidationError):
        MailConfig(signing_secret="")


def test_the_settings_rows_to_add_are_unique_and_documented() -> None:
    names = [name for name, _default, _help in SETTINGS_ROWS]
    assert len(names) == len(set(names))
    assert all(help_text.endswith(".") for _name, _default, help_text in SETTINGS_ROWS)
