"""The mail configuration: back-off doubles up to its ceiling, links are built on the public URL."""

from __future__ import annotations

import datetime

import pytest
from pydantic import ValidationError

from msinfusion.outbox import MailConfig
from msinfusion.outbox.config import mail_config, signing_secret
from msinfusion.settings import Settings, load_settings


def test_the_retry_delay_doubles_after_each_failed_attempt_up_to_the_ceiling() -> None:
    config = MailConfig(signing_secret="s", retry_base_seconds=60, retry_max_seconds=300)
    delays = [config.retry_delay(n).total_seconds() for n in range(1, 6)]
    assert delays == [60, 120, 240, 300, 300]


def test_links_are_built_on_the_public_url_without_a_double_slash() -> None:
    config = MailConfig(signing_secret="s", public_url="https://clinic.example/")
    assert config.unsubscribe_url("t") == "https://clinic.example/unsubscribe/t"
    assert config.verify_url("t") == "https://clinic.example/verify-email/t"
    assert config.sending_lease == datetime.timedelta(minutes=15)


def test_a_signing_secret_is_required() -> None:
    with pytest.raises(ValidationError):
        MailConfig(signing_secret="")


def test_the_mail_config_is_built_from_the_settings_table() -> None:
    settings = load_settings(
        {"MSINFUSION_SMTP_PORT": "2525", "MSINFUSION_QUIET_HOURS_START": "22:30", "MSINFUSION_SECRET_KEY": "k"},
        dotenv=None,
    )
    config = mail_config(settings)
    assert (config.smtp_port, config.quiet_hours.start) == (2525, datetime.time(22, 30))
    assert config.signing_secret == signing_secret("k")


def test_the_link_signing_secret_is_derived_from_the_app_secret_and_is_not_it() -> None:
    assert signing_secret("k") != "k"
    assert signing_secret("k") != signing_secret("other")


def test_options_given_to_the_mail_config_win_over_the_settings() -> None:
    config = mail_config(Settings(smtp_host="mail.example"), smtp_host="relay.example", smtp_port=None)
    assert (config.smtp_host, config.smtp_port) == ("relay.example", 25)
