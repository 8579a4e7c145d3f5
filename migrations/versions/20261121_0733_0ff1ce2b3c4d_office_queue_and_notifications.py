"""Office queue and notifications: the deadline of each case's step, e-mail retries.

proposals.due_at (indexed with id) lets the work queue sort by urgency and filter overdue
cases; notifications gain params (to write a message in each reader's language), the time of
the next e-mail attempt and the users a message to a role already reached.

Revision ID: 0ff1ce2b3c4d
Revises: a0d1e2f3a4b5
Create Date: 2026-11-21 07:33:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "0ff1ce2b3c4d"
down_revision: str | None = "a0d1e2f3a4b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("params", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("next_attempt_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("delivered_to", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.create_index(
            batch_op.f("ix_notifications_recipient_role"), ["recipient_role"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_sent_at_next_attempt_at", ["sent_at", "next_attempt_at"], unique=False
        )

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("due_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_proposals_due_at_id", ["due_at", "id"], unique=False)

    _backfill_due_dates()


def _backfill_due_dates() -> None:
    """Compute the deadline of the current step of every open proposal (as the app does)."""
    from types import SimpleNamespace

    from commons.office.deadlines import step_due_at

    bind = op.get_bind()
    proposals = sa.table(
        "proposals",
        sa.column("id", sa.Integer),
        sa.column("due_at", commons.db.UTCDateTime(timezone=True)),
        *(
            sa.column(name, commons.db.UTCDateTime(timezone=True))
            for name in (
                "review_started_at",
                "review_paused_at",
                "review_stopped_at",
                "integration_due_at",
                "notice_ends_at",
                "deliberation_due_at",
            )
        ),
        *(
            sa.column(name, sa.Date)
            for name in ("next_report_due_on", "withdrawal_effective_on", "end_date")
        ),
        sa.column("review_paused_seconds", sa.Integer),
        sa.column("status", sa.String),
        sa.column("profile", sa.String),
    )
    rows = bind.execute(sa.select(proposals)).mappings().all()
    for row in rows:
        due = step_due_at(SimpleNamespace(**row))
        if due is not None:
            bind.execute(proposals.update().where(proposals.c.id == row["id"]).values(due_at=due))


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_proposals_due_at_id")
        batch_op.drop_column("due_at")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_sent_at_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_notifications_recipient_role"))
        batch_op.drop_column("delivered_to")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("params")
