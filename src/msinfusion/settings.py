"""Every setting of msinfusion in one table: environment beats `.env` beats the default.

Nothing else in the package reads ``os.environ``; code receives a :class:`Settings` object.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class Setting:
    """One row of the settings table."""

    name: str
    default: str
    help: str


# The table. Environment variables are the upper-case name prefixed with MSINFUSION_,
# except DATABASE_URL, which keeps its conventional name.
SETTINGS_TABLE: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "sqlite:///var/msinfusion.sqlite3",
        "SQLAlchemy URL; SQLite file by default, postgresql+psycopg://... for PostgreSQL.",
    ),
    Setting(
        "secret_key",
        "dev-only-change-me",
        "Secret for signing CSRF tokens and calendar-feed tokens. Must be set outside local development.",
    ),
    Setting("environment", "development", "development, test or production; Secure cookies outside development."),
    Setting("host", "127.0.0.1", "Address `msinfusion serve` listens on."),
    Setting("port", "8000", "Port `msinfusion serve` listens on."),
    Setting("session_idle_minutes", "30", "Idle minutes before a staff session ends (forms keep their drafts)."),
    Setting("session_absolute_hours", "10", "Hours after sign-in when any session ends, however active."),
    Setting("login_attempts_per_15_minutes", "5", "Failed logins allowed per account and address in 15 minutes."),
    Setting(
        "login_lock_after_failures",
        "50",
        "Consecutive failed logins after which an account is locked "
        "until an admin unlocks it (NIST SP 800-63B 5.2.2 allows at most 100).",
    ),
    Setting("argon2_time_cost", "3", "Argon2id passes for password hashes (argon2-cffi default)."),
    Setting(
        "argon2_memory_kib",
        "65536",
        "Argon2id memory in KiB for password hashes (argon2-cffi default, 64 MiB).",
    ),
    Setting("argon2_parallelism", "4", "Argon2id lanes for password hashes (argon2-cffi default)."),
    Setting("default_locale", "en", "Language for patients who have not chosen one (en or es)."),
    Setting("solver_time_limit_seconds", "10", "Default CP-SAT time limit for a day schedule."),
    Setting("solver_workers", "2", "CP-SAT search workers (this machine has 2 cores)."),
    Setting(
        "jurisdiction",
        "US",
        "Label jurisdiction for rules that differ (e.g. mitoxantrone cumulative cap): US or EU.",
    ),
)

_ENV_NAMES = {
    s.name: ("DATABASE_URL" if s.name == "database_url" else f"MSINFUSION_{s.name.upper()}") for s in SETTINGS_TABLE
}


class Settings(BaseModel):
    """Resolved settings; build with :func:`load_settings` or directly in tests."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = "sqlite:///var/msinfusion.sqlite3"
    secret_key: str = "dev-only-change-me"
    environment: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    session_idle_minutes: int = 30
    session_absolute_hours: int = 10
    login_attempts_per_15_minutes: int = 5
    login_lock_after_failures: int = 50
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    default_locale: str = "en"
    solver_time_limit_seconds: float = 10.0
    solver_workers: int = 2
    jurisdiction: str = "US"


def env_name(setting: str) -> str:
    """The environment variable that sets ``setting``."""
    return _ENV_NAMES[setting]


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env"), **overrides: Any
) -> Settings:
    """Resolve every setting: keyword override, then environment, then `.env`, then the default."""
    env = os.environ if environ is None else environ
    file_values = _read_dotenv(dotenv) if dotenv is not None else {}
    values: dict[str, Any] = {}
    for setting in SETTINGS_TABLE:
        name = _ENV_NAMES[setting.name]
        if setting.name in overrides:
            values[setting.name] = overrides[setting.name]
        elif name in env:
            values[setting.name] = env[name]
        elif name in file_values:
            values[setting.name] = file_values[name]
        else:
            values[setting.name] = setting.default
    return Settings(**values)
