"""Monitoring reports keep the impact framework and version they were filled with
(monitoring_reports.framework_id, framework_version) and the breakdowns of their figures.
Reports filed before hold the three fixed figures (participants, volunteer hours, events held):
they are recorded as the default framework's version 1, whose labels they keep.

Revision ID: 1a9ac0000001
Revises: b01d00000001
Create Date: 2026-12-04 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1a9ac0000001"
down_revision: str | None = "b01d00000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("monitoring_reports", schema=None) as batch_op:
        # The server defaults fill the reports already filed: default, version 1.
        batch_op.add_column(
            sa.Column(
                "framework_id", sa.String(length=40), server_default="default", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("framework_version", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("breakdowns", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monitoring_reports", schema=None) as batch_op:
        batch_op.drop_column("breakdowns")
        batch_op.drop_column("framework_version")
        batch_op.drop_column("framework_id")
