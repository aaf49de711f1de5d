"""How messages are sent: the mail server, the sender, retries, quiet hours and the signing secret.

A typed model with defaults, built from the one settings table by :func:`mail_config` (the ``smtp_*``,
``mail_*``, ``outbox_*`` and ``quiet_hours_*`` rows of :class:`msinfusion.settings.Settings`); the link
signing secret is derived from the app's ``secret_key``. Nothing here reads the environment.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

from pydantic import BaseModel, ConfigDict, Field, field_validator

from msinfusion.reminders.rules import QuietHours
from msinfusion.settings import Settings


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
    public_url: str = "http://127.0.0.1:8000"
    center_notice_address: str = ""
    signing_secret: str = Field(min_length=1)
    quiet_hours: QuietHours = QuietHours()
    max_attempts: int = Field(5, ge=1, le=50)
    retry_base_seconds: float = Field(60.0, gt=0)
    retry_max_seconds: float = Field(3600.0, gt=0)
    sending_lease_minutes: int = Field(15, ge=1)
    verification_hours: int = Field(48, ge=1, le=24 * 14)
    sms_provider: str = ""

    @field_validator("public_url")
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
        return f"{self.public_url}/unsubscribe/{token}"

    def verify_url(self, token: str) -> str:
        return f"{self.public_url}/verify-email/{token}"


def signing_secret(secret_key: str) -> str:
    """The secret that signs links in messages, derived from the app's ``secret_key`` (never the key itself)."""
    return hmac.new(secret_key.encode(), b"msinfusion-outbox-links", hashlib.sha256).hexdigest()


def mail_config(settings: Settings, **overrides: object) -> MailConfig:
    """The mail settings of ``settings`` as a :class:`MailConfig` (``overrides`` win, e.g. CLI options)."""
    values: dict[str, object] = {
        "smtp_host": settings.smtp_host,
        "smtp_port": settings.smtp_port,
        "smtp_starttls": settings.smtp_starttls,
        "smtp_username": settings.smtp_username,
        "smtp_password": settings.smtp_password,
        "smtp_timeout_seconds": settings.smtp_timeout_seconds,
        "sender": settings.mail_sender,
        "public_url": settings.public_url,
        "center_notice_address": settings.center_notice_address,
        "signing_secret": signing_secret(settings.secret_key),
        "quiet_hours": QuietHours(start=settings.quiet_hours_start, end=settings.quiet_hours_end),
        "max_attempts": settings.outbox_max_attempts,
        "retry_base_seconds": settings.outbox_retry_base_seconds,
        "retry_max_seconds": settings.outbox_retry_max_seconds,
        "sending_lease_minutes": settings.outbox_sending_lease_minutes,
        "verification_hours": settings.email_verification_hours,
        "sms_provider": settings.sms_provider,
    }
    values.update({key: value for key, value in overrides.items() if value is not None})
    return MailConfig.model_validate(values)
