"""Every setting of msinfusion in one typed model: environment beats `.env` beats the default.

Nothing else in the package reads ``os.environ``; code receives a :class:`Settings` object, built by
:func:`load_settings` (the process environment and `.env`) or directly in tests. Environment variables
are the upper-case field name prefixed with ``MSINFUSION_``, except ``DATABASE_URL``, which keeps its
conventional name. ``docs/settings.md`` is generated from this model (``make docs``; a test checks it).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

ENV_PREFIX = "MSINFUSION_"
Environment = Literal["development", "test", "production"]
DEFAULT_SECRET_KEY = "dev-only-change-me"
RETIRED_SETTINGS = {"public_base_url": "public_url"}
"""Settings that were merged into another: setting the old name is an error that names the new one."""


class Settings(BaseSettings):
    """Resolved settings; build with :func:`load_settings`, or directly (keywords and defaults only)."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid", env_prefix=ENV_PREFIX, populate_by_name=True)

    database_url: str = Field(
        "sqlite:///var/msinfusion.sqlite3",
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://... for PostgreSQL.",
    )
    secret_key: str = Field(
        DEFAULT_SECRET_KEY,
        description="Secret for signing CSRF tokens and calendar-feed tokens. Must be set outside local development.",
    )
    environment: Environment = Field(
        "development", description="development, test or production; Secure cookies outside development."
    )
    host: str = Field("127.0.0.1", description="Address `msinfusion serve` listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port `msinfusion serve` listens on.")
    session_idle_minutes: int = Field(
        30, ge=1, description="Idle minutes before a staff session ends (forms keep their drafts)."
    )
    session_absolute_hours: int = Field(
        10, ge=1, description="Hours after sign-in when any session ends, however active."
    )
    login_attempts_per_15_minutes: int = Field(
        5, ge=1, description="Failed logins allowed per account and address in 15 minutes."
    )
    login_lock_after_failures: int = Field(
        50,
        ge=1,
        description="Consecutive failed logins after which an account is locked "
        "until an admin unlocks it (NIST SP 800-63B 5.2.2 allows at most 100).",
    )
    argon2_time_cost: int = Field(3, ge=1, description="Argon2id passes for password hashes (argon2-cffi default).")
    argon2_memory_kib: int = Field(
        65536, ge=8, description="Argon2id memory in KiB for password hashes (argon2-cffi default, 64 MiB)."
    )
    argon2_parallelism: int = Field(4, ge=1, description="Argon2id lanes for password hashes (argon2-cffi default).")
    default_locale: str = Field("en", description="Language for patients who have not chosen one (en or es).")
    solver_time_limit_seconds: float = Field(10.0, gt=0, description="Default CP-SAT time limit for a day schedule.")
    solver_workers: int = Field(2, ge=1, description="CP-SAT search workers (this machine has 2 cores).")
    schedule_search: Literal["deterministic", "anytime"] = Field(
        "deterministic",
        description="How optimizer runs search: deterministic (the same schedule for the same day, seed, time limit "
        "and workers) or anytime (uses the whole time limit, often better on large days, not reproducible).",
    )
    jurisdiction: str = Field(
        "US", description="Label jurisdiction for rules that differ (e.g. mitoxantrone cumulative cap): US or EU."
    )
    debug: bool = Field(
        False, description="Debug error pages with tracebacks; the app refuses to start with it in production."
    )
    web_workers: int = Field(1, ge=1, description="Web worker processes `msinfusion serve` starts (`--workers`).")
    proxy_headers: bool = Field(
        False,
        description="Behind a reverse proxy: take the client address, scheme and host from X-Forwarded-For, "
        "-Proto and -Host, but only when the request comes from an address in `forwarded_allow_ips`.",
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="Trusted proxies: comma-separated addresses or networks (10.0.0.0/8) whose X-Forwarded-* "
        "headers are believed when `proxy_headers` is on.",
    )
    ssl_certfile: str = Field("", description="TLS certificate chain (PEM) for serving HTTPS directly.")
    ssl_keyfile: str = Field("", description="TLS private key (PEM) for serving HTTPS directly.")
    password_link_hours: int = Field(
        72, ge=1, le=720, description="Hours a one-time set-password link (invitation or reset) keeps working."
    )
    mfa_required_roles: str = Field(
        "scheduler,admin",
        description="Staff roles that must sign in with a second factor (TOTP) in production, comma-separated; "
        "elsewhere, and for other staff, it is offered.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="The address people open (https://infusion.example.org): every link we send or print "
        "(e-mails, set-password links) starts with it.",
    )

    duration_basis: Literal["label", "median", "p80"] = Field(
        "label",
        description="Visit durations the day schedule plans with: the label timeline (`label`), or the median "
        "(`median`) or 80th percentile (`p80`) of the center's recorded visits of each treatment; a part of a "
        "visit with fewer than 5 recorded visits keeps the label's minutes. The default for centers that have "
        "not chosen their own in the center editor.",
    )
    simulation_runs: int = Field(
        1000,
        ge=10,
        le=5000,
        description="Simulated runs of a day on the what-if page (staff may choose fewer or more).",
    )
    simulation_no_show_rate: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Chance that a booked patient does not come, in what-if simulations (5 %: the median rate "
        "in shared/reference/scheduling.md). The default for centers that have not chosen their own in the "
        "center editor.",
    )
    simulation_add_on_rate: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Unplanned same-day visits per booked visit in what-if simulations (0: none). The default "
        "for centers that have not chosen their own in the center editor.",
    )

    booking_headroom_default: float = Field(
        0.10,
        ge=0,
        le=0.5,
        description="Share of each day's chair capacity the booking engine keeps free for same-day add-ons, "
        "for a center that has not saved its own headroom in the center editor (0 to 0.5).",
    )

    max_request_bytes: int = Field(
        1_000_000, ge=1024, description="Largest request body accepted; larger ones get 413 (issue 11)."
    )
    calendar_link_days: int = Field(
        365, ge=1, le=3650, description="Days a private calendar-feed link works before the patient makes a new one."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_retired_names(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for old, new in RETIRED_SETTINGS.items():
                if old in data:
                    raise ValueError(
                        f"{ENV_PREFIX}{old.upper()} is no longer a setting: "
                        f"set {ENV_PREFIX}{new.upper()} (the one public address) instead"
                    )
        return data

    @property
    def trusted_proxies(self) -> tuple[IPv4Network | IPv6Network, ...]:
        """The networks in ``forwarded_allow_ips`` (none unless ``proxy_headers`` is on)."""
        if not self.proxy_headers:
            return ()
        return tuple(
            ip_network(part.strip(), strict=False) for part in self.forwarded_allow_ips.split(",") if part.strip()
        )

    def requires_mfa(self, role: str) -> bool:
        """True when accounts with ``role`` must use a second factor (production only)."""
        roles = {part.strip() for part in self.mfa_required_roles.split(",")}
        return self.environment == "production" and role in roles

    @property
    def serves_tls(self) -> bool:
        """True when the server itself terminates TLS (certificate and key both set)."""
        return bool(self.ssl_certfile and self.ssl_keyfile)

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                try:
                    ip_network(part.strip(), strict=False)
                except ValueError:
                    raise ValueError(f"{part.strip()!r} is not an address or network") from None
        return value

    smtp_host: str = Field("127.0.0.1", description="Mail server (SMTP) host for reminders and notices.")
    smtp_port: int = Field(
        25, ge=1, le=65535, description="Mail server port (587 with STARTTLS, 25 for a local relay)."
    )
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS (certificate checked).")
    smtp_username: str = Field("", description="SMTP user name; empty for none.")
    smtp_password: str = Field("", description="SMTP password; empty for none.")
    smtp_timeout_seconds: float = Field(
        30.0, gt=0, description="Seconds to wait for the mail server before a send counts as failed."
    )
    mail_sender: str = Field("Infusion center <no-reply@localhost>", description="From address of every message.")
    center_notice_address: str = Field(
        "", description="Where check answers that need a call are e-mailed; empty: no notice."
    )
    quiet_hours_start: datetime.time = Field(
        datetime.time(21, 0), description="Local time after which no reminder goes out."
    )
    quiet_hours_end: datetime.time = Field(
        datetime.time(8, 0), description="Local time before which no reminder goes out."
    )
    outbox_max_attempts: int = Field(5, ge=1, le=50, description="Sending attempts before a message is marked failed.")
    outbox_retry_base_seconds: float = Field(
        60.0, gt=0, description="First retry delay; it doubles after each failed attempt."
    )
    outbox_retry_max_seconds: float = Field(3600.0, gt=0, description="Longest delay between two attempts.")
    outbox_sending_lease_minutes: int = Field(
        15, ge=1, description="A message still 'sending' after this long is marked failed, not resent."
    )
    email_verification_hours: int = Field(
        48, ge=1, le=24 * 14, description="How long an e-mail verification link works."
    )
    sms_provider: str = Field("", description="SMS provider; empty: SMS is off and never mentioned.")
    outbox_in_process: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Queue due reminders and send the outbox from inside `msinfusion serve`: "
        "auto (as `jobs_in_process`: on for SQLite, off for PostgreSQL, whose job worker does it), on or off.",
    )
    outbox_every_seconds: float = Field(
        60.0, ge=1, description="Seconds between two in-process reminder and outbox passes."
    )

    jobs_in_process: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Run the jobs (optimizer runs, periodic work) inside `msinfusion serve` instead of on the "
        "job queue: auto (on for SQLite, off for PostgreSQL, where `msinfusion worker` runs them), on or off.",
    )
    worker_concurrency: int = Field(
        2, ge=1, le=64, description="Jobs one `msinfusion worker` runs at the same time (`--concurrency`)."
    )
    worker_heartbeat_seconds: float = Field(
        5.0, gt=0, le=60, description="How often a job worker tells the database it is alive."
    )
    worker_stalled_after_seconds: float = Field(
        15.0,
        gt=0,
        le=600,
        description="A worker silent this long is dead (killed, crashed): its jobs are retried or failed. "
        "Keep it at least twice `worker_heartbeat_seconds`.",
    )
    job_stalled_retries: int = Field(
        1, ge=0, le=10, description="Times a job whose worker died is retried before it is marked failed."
    )
    orphan_run_after_seconds: float = Field(
        30.0,
        gt=0,
        le=300,
        description="An optimizer run still queued this long after its request with no job on the queue (its web "
        "process died before handing it over) gets its job from the workers' check every minute.",
    )
    idempotency_keep_hours: int = Field(
        24, ge=1, le=24 * 30, description="Hours an API `Idempotency-Key` and its response are kept."
    )

    @property
    def runs_jobs_in_process(self) -> bool:
        """Whether the web app runs the jobs itself (see ``jobs_in_process``)."""
        if self.jobs_in_process == "auto":
            return self.database_url.startswith("sqlite")
        return self.jobs_in_process == "on"

    @property
    def sends_in_process(self) -> bool:
        """Whether the web app itself runs the reminder and outbox passes (``outbox_in_process``; auto
        follows ``jobs_in_process``)."""
        if self.outbox_in_process == "auto":
            return self.runs_jobs_in_process
        return self.outbox_in_process == "on"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Direct construction takes keywords and defaults only; :func:`load_settings` adds the environment."""
        return (init_settings,)


class UnsafeSettings(ValueError):
    """The settings are not safe for production; the message names every problem."""


def production_problems(settings: Settings) -> list[str]:
    """What keeps ``settings`` from serving in production (empty outside production or when all is well).

    Production needs its own secret, debug off, and HTTPS on the wire: either the server terminates
    TLS itself or it sits behind a trusted TLS-terminating proxy (HIPAA 164.312(e); ASVS 12.3.1).
    """
    if settings.environment != "production":
        return []
    problems = []
    if settings.secret_key == DEFAULT_SECRET_KEY:
        problems.append("set MSINFUSION_SECRET_KEY (the default secret is public)")
    if settings.debug:
        problems.append("turn MSINFUSION_DEBUG off")
    if bool(settings.ssl_certfile) != bool(settings.ssl_keyfile):
        problems.append("set both MSINFUSION_SSL_CERTFILE and MSINFUSION_SSL_KEYFILE, or neither")
    elif not settings.serves_tls and not settings.trusted_proxies:
        problems.append(
            "serve over HTTPS: set MSINFUSION_SSL_CERTFILE and MSINFUSION_SSL_KEYFILE, or run behind a "
            "TLS proxy with MSINFUSION_PROXY_HEADERS=true and MSINFUSION_FORWARDED_ALLOW_IPS"
        )
    return problems


def check_production(settings: Settings) -> None:
    """Raise :class:`UnsafeSettings` naming every problem :func:`production_problems` finds."""
    problems = production_problems(settings)
    if problems:
        raise UnsafeSettings("refusing to start in production: " + "; ".join(problems))


def export_to_environment(settings: Settings, names: tuple[str, ...]) -> None:
    """Write the named settings into this process's environment, so server worker processes that build
    the app from the environment (``create_app()`` without arguments) see the same values."""
    for name in names:
        value = getattr(settings, name)
        os.environ[env_name(name)] = str(value).lower() if isinstance(value, bool) else str(value)


def env_name(setting: str) -> str:
    """The environment variable that sets ``setting``."""
    alias = Settings.model_fields[setting].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"{ENV_PREFIX}{setting.upper()}"


class _Mapping(EnvSettingsSource):
    """Settings from a mapping of variable names to values (the environment, or a `.env` file's lines)."""

    def __init__(self, settings_cls: type[BaseSettings], values: Mapping[str, str | None]) -> None:
        self._values = {key.lower(): value for key, value in values.items() if value is not None}
        super().__init__(settings_cls, case_sensitive=False)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return self._values


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env"), **overrides: Any
) -> Settings:
    """Resolve every setting: keyword override, then environment, then `.env`, then the default."""
    environment = _Mapping(Settings, os.environ if environ is None else environ)
    file_values = dotenv_values(dotenv) if dotenv is not None and dotenv.is_file() else {}
    values: dict[str, Any] = {}
    for source in (_Mapping(Settings, file_values), environment):  # later sources win
        values.update({_field_name(key): value for key, value in source().items()})
    for raw in (file_values, os.environ if environ is None else environ):  # a retired name: say so, never ignore
        names = {key.lower() for key, value in raw.items() if value is not None}
        values.update({old: "" for old in RETIRED_SETTINGS if f"{ENV_PREFIX}{old}".lower() in names})
    values.update(overrides)
    return Settings(**values)


def _field_name(key: str) -> str:
    for name in Settings.model_fields:
        if key in (name, env_name(name)):
            return name
    return key


if __name__ == "__main__":  # pragma: no cover - `make docs`
    from msinfusion.settings_reference import reference

    print(reference(), end="")
