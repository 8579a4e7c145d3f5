"""Audit chain head: the last event's seq and hash in one row, locked and moved by each append.

Initialised from the events already recorded (seq 0 and the genesis hash when there are none).

Revision ID: e1a2b3c4d5e6
Revises: 38d1a62d7b5c
Create Date: 2026-11-21 07:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e1a2b3c4d5e6"
down_revision: str | None = "38d1a62d7b5c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    # The head of the chain recorded so far: its last event, or the genesis of an empty one.
    op.execute(
        sa.text(
            "INSERT INTO audit_chain_head (id, seq, hash) "
            "SELECT 1, COALESCE(MAX(seq), 0), COALESCE("
            "(SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1), :genesis) "
            "FROM audit_events"
        ).bindparams(genesis=GENESIS_HASH)
    )


def downgrade() -> None:
    op.drop_table("audit_chain_head")
