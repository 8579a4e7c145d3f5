"""Commons and proponent groups count their saves, so a stale edit is refused.

``version`` is SQLAlchemy's version counter (``version_id_col``): every UPDATE checks and
bumps it, and the edit forms and the API send the version they started from. Existing rows
start at 1. Plain ADD COLUMN (no batch copy) so SQLite keeps the register's full-text
triggers on ``commons``.

Revision ID: b14e0d17e002
Revises: e14a0d1f0001
Create Date: 2026-12-02 04:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b14e0d17e002"
down_revision: str | None = "e14a0d1f0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("commons", "proponent_groups")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "version")
