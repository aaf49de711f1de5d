"""Argon2id password hashing and the password rules (ASVS 6.2: length, not composition)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from msinfusion.settings import Settings

# ASVS 6.2.1/6.2.9: at least 12 characters, at least 64 allowed; the upper bound only stops
# denial-of-service by huge inputs.
MIN_LENGTH = 12
MAX_LENGTH = 1024

# ASVS 6.2.4: refuse passwords that top breach lists carry (a short offline list; no network).
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "password1234",
        "password12345",
        "passwordpassword",
        "qwertyuiopas",
        "qwerty123456",
        "iloveyou1234",
        "abcdefghijkl",
        "111111111111",
        "000000000000",
        "letmein12345",
        "welcome12345",
        "changeme1234",
        "administrator",
        "infusion1234",
    }
)


def make_hasher(settings: Settings) -> PasswordHasher:
    """An Argon2id hasher with the configured cost."""
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, in plain words, or None when it can."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "This password is too easy to guess. A few unrelated words work well."
    return None


def verify(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; never raises for a wrong or malformed hash."""
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
