"""What accounts store besides the user row: one-time set-password links and the second sign-in factor.

Kept apart from :mod:`msinfusion.db.models` so the account pages own their tables; the classes share
that module's ``Base``. ``msinfusion.db`` imports this module, so the tables are on ``Base.metadata``.
Every secret here is stored as a hash (links, recovery codes) or encrypted (the TOTP key).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from msinfusion.db.models import Base

LINK_PURPOSES = ("invite", "reset")


class PasswordLink(Base):
    """A one-time link to set a password (new account or reset); only the token's SHA-256 is kept."""

    __tablename__ = "password_links"
    __table_args__ = (CheckConstraint("purpose IN ('invite', 'reset')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class TotpFactor(Base):
    """A user's time-based one-time password key (RFC 6238), encrypted; confirmed once a code matched."""

    __tablename__ = "totp_factors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(Integer)  # the last time step accepted: never again


class RecoveryCode(Base):
    """A single-use recovery code for when the authenticator is lost; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
