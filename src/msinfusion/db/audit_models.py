"""The table of audit chain heads: one row per chain, locked by the writer that appends to that chain."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from msinfusion.db.models import Base


class AuditChainHead(Base):
    """The newest entry of one audit chain (see :mod:`msinfusion.db.audit`); its row is the chain's lock.

    ``head_hash`` is the chain's genesis value while the chain is empty. ``length`` counts its entries.
    """

    __tablename__ = "audit_chain_heads"

    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    head_id: Mapped[int | None] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    length: Mapped[int] = mapped_column(Integer)
