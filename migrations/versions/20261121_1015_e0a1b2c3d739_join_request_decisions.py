"""Join requests decided by the proposing group: status, who decided and when, the reason.

Requests made before this revision are pending.

Revision ID: e0a1b2c3d739
Revises: ab1c2d3e4f50
Create Date: 2026-11-21 10:15:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "e0a1b2c3d739"
down_revision: str | None = "ab1c2d3e4f50"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="pending")
        )
        batch_op.add_column(
            sa.Column("decided_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_join_requests_decided_by_id_users"), "users", ["decided_by_id"], ["id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_join_requests_status_known"),
            "status IN ('pending', 'accepted', 'declined')",
        )


def downgrade() -> None:
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_join_requests_status_known"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_join_requests_decided_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_column("reason")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("status")
