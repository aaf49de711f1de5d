"""Signed tokens for links in messages: one-click unsubscribe and e-mail address verification.

A token is ``<payload>.<signature>``, both base64url without padding; the payload is compact JSON with
the token's purpose, the contact it is about, the address, and (for verification) an expiry. The
signature is HMAC-SHA256 under a key derived from the app secret *and the purpose*, so a token made
for one purpose never verifies for another, and the app secret itself never signs user-visible data.
The address is inside the payload: once a patient changes their address, old links stop working.
Nothing here reads a clock; the caller passes ``now``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

Purpose = Literal["unsubscribe", "verify-email"]


class TokenError(ValueError):
    """A token that is malformed, forged, made for another purpose, or expired."""


class TokenClaims(BaseModel):
    """What a valid token says: for which contact and address, until when (``None``: no expiry)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    purpose: Purpose
    contact_id: int
    address: str
    expires: int | None = None


def _key(secret: str, purpose: Purpose) -> bytes:
    return hmac.new(secret.encode(), f"msinfusion-comms:{purpose}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(
    secret: str, purpose: Purpose, contact_id: int, address: str, expires: datetime.datetime | None = None
) -> str:
    """A signed token for ``purpose`` about one contact address."""
    if not secret:
        raise ValueError("a signing secret is needed")
    claims = TokenClaims(
        purpose=purpose,
        contact_id=contact_id,
        address=address,
        expires=int(expires.timestamp()) if expires is not None else None,
    )
    payload = json.dumps(claims.model_dump(exclude_none=True), separators=(",", ":"), sort_keys=True).encode()
    signature = hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def verify_token(secret: str, purpose: Purpose, token: str, now: datetime.datetime) -> TokenClaims:
    """The claims of a valid token; raises :class:`TokenError` naming what is wrong."""
    payload_text, dot, signature_text = token.partition(".")
    if not dot or not payload_text or not signature_text:
        raise TokenError("the link is not complete")
    try:
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (ValueError, TypeError):
        raise TokenError("the link is not complete") from None
    expected = hmac.new(_key(secret, purpose), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise TokenError("the link is not valid")
    try:
        claims = TokenClaims.model_validate_json(payload)
    except ValidationError:
        raise TokenError("the link is not valid") from None
    if claims.purpose != purpose:
        raise TokenError("the link is not valid")
    if claims.expires is not None and now.timestamp() >= claims.expires:
        raise TokenError("the link has expired")
    return claims
