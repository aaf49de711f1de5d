"""The second sign-in factor: time-based one-time passwords (RFC 6238) and single-use recovery codes.

ASVS 6.5: a code is accepted at most one step either side of now (``valid_window`` 1), and never twice —
the caller stores the step each accepted code belonged to and passes it back as ``last_step``. The TOTP
key is stored encrypted (AES-GCM, key derived from the app's secret, which lives outside the database);
recovery codes are stored as hashes and each works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ISSUER = "msinfusion"
STEP_SECONDS = 30
VALID_WINDOW = 1  # one step either side of now: clocks on phones drift
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_secret() -> str:
    """A fresh 160-bit TOTP key in base32 (what authenticator apps take)."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The key in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` address an authenticator app reads (from the QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg_data_uri(uri: str) -> str:
    """The provisioning address as a QR code, an SVG ``data:`` URI (allowed by the page's CSP)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


def step_at(at: datetime) -> int:
    """The 30-second time step an instant falls in."""
    return int(at.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to, if it is valid at ``at`` and newer than ``last_step``; else None.

    A replayed code, or any code from a step at or before the last accepted one, is refused.
    """
    digits = code.replace(" ", "").strip()
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = step_at(at)
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _key(app_secret: str) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"msinfusion totp key").derive(app_secret.encode())


def encrypt_secret(secret: str, app_secret: str) -> str:
    """The TOTP key encrypted for storage (nonce and ciphertext, URL-safe base64)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key(app_secret)).encrypt(nonce, secret.encode(), b"totp")
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_secret(stored: str, app_secret: str) -> str:
    """The TOTP key from its stored form (raises if the app secret changed or the value was altered)."""
    raw = base64.urlsafe_b64decode(stored.encode())
    return AESGCM(_key(app_secret)).decrypt(raw[:12], raw[12:], b"totp").decode()


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Fresh recovery codes like ``k7m2x-9qp4h-wdrt5`` (15 characters of 31, about 74 bits each)."""
    codes = []
    for _ in range(count):
        chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(15))
        codes.append("-".join(chars[i : i + 5] for i in range(0, 15, 5)))
    return codes


def recovery_code_hash(code: str) -> str:
    """What is stored for a recovery code: SHA-256 of its normal form (lower case, no spaces or dashes)."""
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    """True for input shaped like a recovery code rather than a six-digit TOTP code."""
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return len(normal) == 15
