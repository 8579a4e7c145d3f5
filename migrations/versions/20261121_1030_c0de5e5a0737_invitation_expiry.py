"""Invitation expiry: when each group invitation was sent, so its link can expire.

Invitations still waiting are dated from their member row's creation.

Revision ID: c0de5e5a0737
Revises: e0a1b2c3d739
Create Date: 2026-11-21 10:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "c0de5e5a0737"
down_revision: str | None = "e0a1b2c3d739"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("invited_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE group_members SET invited_at = created_at "
        "WHERE invitation_token_hash IS NOT NULL AND invited_at IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_column("invited_at")
