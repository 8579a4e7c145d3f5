"""Each batch of a call is ranked and admitted by its own act: call_batches.ranked_at,
act_number and act_date. Calls ranked before this keep their ranking and act on every batch
(the ranking's time read from its ``call_ranked`` audit event). And the photos and plans on
the information sheet of each offered commons: call_sheet_files.

Revision ID: ca11b0000002
Revises: e8c4a0000001
Create Date: 2026-12-04 19:00:00+00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "ca11b0000002"
down_revision: str | None = "e8c4a0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RANKED = ("ranked", "admitted", "archived")


def upgrade() -> None:
    with op.batch_alter_table("call_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ranked_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("act_number", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("act_date", sa.Date(), nullable=True))
    op.create_table(
        "call_sheet_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachments.id"],
            name=op.f("fk_call_sheet_files_attachment_id_attachments"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["call_commons.id"],
            name=op.f("fk_call_sheet_files_offer_id_call_commons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_sheet_files")),
        sa.UniqueConstraint("attachment_id", name=op.f("uq_call_sheet_files_attachment_id")),
    )
    with op.batch_alter_table("call_sheet_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_sheet_files_offer_id"), ["offer_id"])

    conn = op.get_bind()
    moment = commons.db.UTCDateTime(timezone=True)
    calls = sa.table(
        "calls",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("updated_at", moment),
        sa.column("act_number", sa.String),
        sa.column("act_date", sa.Date),
    )
    ranked = conn.execute(
        sa.select(calls.c.id, calls.c.updated_at, calls.c.act_number, calls.c.act_date).where(
            calls.c.status.in_(RANKED)
        )
    ).all()
    if not ranked:
        return
    # When each call was ranked: its call_ranked event (the payload is JSON text).
    events = sa.table(
        "audit_events",
        sa.column("seq", sa.Integer),
        sa.column("occurred_at", moment),
        sa.column("trigger", sa.String),
        sa.column("payload", sa.Text),
    )
    ranked_at = {}
    for occurred_at, payload in conn.execute(
        sa.select(events.c.occurred_at, events.c.payload)
        .where(events.c.trigger == "call_ranked")
        .order_by(events.c.seq)
    ):
        data = json.loads(payload) if isinstance(payload, str | bytes) else payload
        ranked_at[data.get("call_id")] = occurred_at
    batches = sa.table(
        "call_batches",
        sa.column("call_id", sa.Integer),
        sa.column("ranked_at", moment),
        sa.column("act_number", sa.String),
        sa.column("act_date", sa.Date),
    )
    for call_id, updated_at, act_number, act_date in ranked:
        conn.execute(
            batches.update()
            .where(batches.c.call_id == call_id)
            .values(
                ranked_at=ranked_at.get(call_id, updated_at),
                act_number=act_number,
                act_date=act_date,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("call_sheet_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_sheet_files_offer_id"))
    op.drop_table("call_sheet_files")
    with op.batch_alter_table("call_batches", schema=None) as batch_op:
        batch_op.drop_column("act_date")
        batch_op.drop_column("act_number")
        batch_op.drop_column("ranked_at")
