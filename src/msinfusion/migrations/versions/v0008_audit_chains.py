"""Audit chains: the trail is striped over 32 hash chains whose head rows writers lock, not one global lock.

The entries written so far form one chain; it becomes chain 0 unchanged (same genesis, same hashes), and
its head row records its last entry and length. Chains 1-31 start empty at their own genesis values.

Revision ID: v0008_audit_chains
Revises: 0004
Create Date: 2026-12-01 01:00:00.000000
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "v0008_audit_chains"
down_revision: str | None = "v0007_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHAINS = 32
GENESIS = "0" * 64


def _genesis(chain: int) -> str:
    # Frozen copy of msinfusion.db.audit.genesis at this revision.
    return GENESIS if chain == 0 else hashlib.sha256(f"msinfusion audit chain {chain}".encode()).hexdigest()


def upgrade() -> None:
    heads = op.create_table(
        "audit_chain_heads",
        sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=True),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_chain_heads")),
    )
    # Data: the existing single chain (appended under one lock, in id order) is chain 0.
    connection = op.get_bind()
    length = connection.scalar(sa.text("SELECT count(*) FROM audit_events")) or 0
    last = connection.execute(sa.text("SELECT id, row_hash FROM audit_events ORDER BY id DESC LIMIT 1")).first()
    rows = [
        {
            "chain": 0,
            "head_id": last.id if last else None,
            "head_hash": last.row_hash if last else GENESIS,
            "length": length,
        }
    ]
    rows += [{"chain": c, "head_id": None, "head_hash": _genesis(c), "length": 0} for c in range(1, CHAINS)]
    op.bulk_insert(heads, rows)


def downgrade() -> None:
    connection = op.get_bind()
    spread = connection.scalar(sa.text("SELECT count(*) FROM audit_chain_heads WHERE chain > 0 AND length > 0"))
    if spread:
        # The single-chain verifier of 0004 would call these entries broken; the trail cannot be rewritten.
        raise RuntimeError("audit entries live in chains other than 0; the audit trail cannot go back to one chain")
    op.drop_table("audit_chain_heads")
