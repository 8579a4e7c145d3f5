"""The audit table refuses TRUNCATE too on PostgreSQL (UPDATE and DELETE already were).

A row-level trigger cannot see TRUNCATE; a statement-level BEFORE TRUNCATE trigger calling
the same function refuses it. SQLite has no TRUNCATE. The statement is written out here,
not imported from commons/audit/models.py, so that this revision keeps doing what it did.

Revision ID: e14a0d1f0001
Revises: c13e7e12a003
Create Date: 2026-12-01 22:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e14a0d1f0001"
down_revision: str | None = "c13e7e12a003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
