"""How messages are sent: the mail server, the sender, retries, quiet hours and the signing secret.

A typed model with defaults. It is built by the CLI today (options plus the app's ``secret_key``);
once the settings table has the matching rows (see :data:`SETTINGS_ROWS`), build it from
:class:`msinfusion.settings.Settings` instead. Nothing here reads the environment.
"""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from msinfusion.reminders.rules import QuietHours

# The rows the settings table should gain (name, default, help), so the lead can add them in one go.
SETTINGS_ROWS: tuple[tuple[str, str, str], ...] = (
    ("smtp_host", "127.0.0.1", "Mail server (SMTP) host for reminders and notices."),
    ("smtp_port", "25", "Mail server port (587 with STARTTLS, 25 for a local relay)."),
    ("smtp_starttls", "false", "Upgrade the SMTP connection with STARTTLS (certificate checked)."),
    ("smtp_username", "", "SMTP user name; empty for none."),
    ("smtp_password", "", "SMTP password; empty for none."),
    ("smtp_timeout_seconds", "30", "Seconds to wait for the mail server before a send counts as failed."),
    ("mail_sender", "Infusion center <no-reply@localhost>", "From address of every message."),
    ("public_base_url", "http://127.0.0.1:8000", "Base URL of the app, for links in messages."),
    ("center_notice_address", "", "Where check answers that need a call are e-mailed; empty: no notice."),
    ("quiet_hours_start", "21:00", "Local time after which no reminder goes out."),
    ("quiet_hours_end", "08:00", "Local time before which no reminder goes out."),
    ("outbox_max_attempts", "5", "Sending attempts before a message is marked failed."),
    ("outbox_retry_base_seconds", "60", "First retry delay; it doubles after each failed attempt."),
    ("outbox_retry_max_seconds", "3600", "Longest delay between two attempts."),
    ("outbox_sending_lease_minutes", "15", "A message still 'sending' after this long is marked failed, not resent."),
    ("email_verification_hours", "48", "How long an e-mail verification link works."),
    ("sms_provider", "", "SMS provider; empty: SMS is off and never mentioned."),
)


class MailConfig(BaseModel):
    """Everything the outbox needs to send; the defaults suit a local relay in development."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(30.0, gt=0)
    sender: str = "Infusion center <no-reply@localhost>"
    public_base_url: str = "http://127.0.0.1:8000"
    center_notice_address: str = ""
    signing_secret: str = Field(min_length=1)
    quiet_hours: QuietHours = QuietHours()
    max_attempts: int = Field(5, ge=1, le=50)
    retry_base_seconds: float = Field(60.0, gt=0)
    retry_max_seconds: float = Field(3600.0, gt=0)
    sending_lease_minutes: int = Field(15, ge=1)
    verification_hours: int = Field(48, ge=1, le=24 * 14)
    sms_provider: str = ""

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def retry_delay(self, attempts: int) -> datetime.timedelta:
        """The wait after the ``attempts``-th failed attempt: base, 2x base, 4x base, ... up to the maximum."""
        seconds = min(self.retry_base_seconds * 2 ** max(attempts - 1, 0), self.retry_max_seconds)
        return datetime.timedelta(seconds=seconds)

    @property
    def sending_lease(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.sending_lease_minutes)

    def unsubscribe_url(self, token: str) -> str:
        return f"{self.public_base_url}/unsubscribe/{token}"

    def verify_url(self, token: str) -> str:
        return f"{self.public_base_url}/verify-email/{token}"
