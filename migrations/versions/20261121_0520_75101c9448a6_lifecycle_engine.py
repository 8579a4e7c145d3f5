"""Lifecycle engine: clocks and acts on proposals, pact versions, signatures, meetings,
opinions, monitoring reports, the notification outbox, protocol counters; and, on PostgreSQL,
a trigger that refuses UPDATE and DELETE on audit_events.

Revision ID: 75101c9448a6
Revises: 8f081e21ad8c
Create Date: 2026-11-21 05:20:42.436207+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "75101c9448a6"
down_revision: str | None = "8f081e21ad8c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


AUDIT_GUARD = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "protocol_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_protocol_counters")),
    )
    op.create_table(
        "co_design_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_co_design_meetings_proposal_id_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_co_design_meetings_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_co_design_meetings")),
    )
    with op.batch_alter_table("co_design_meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_co_design_meetings_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "monitoring_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("filed_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_monitoring_reports_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_monitoring_reports_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_reports")),
    )
    with op.batch_alter_table("monitoring_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_reports_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("recipient_role", sa.String(length=16), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("sent_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_notifications_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["users.id"], name=op.f("fk_notifications_recipient_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_notifications_dedup_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notifications_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_notifications_recipient_id"), ["recipient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "pact_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("frozen_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_pact_versions_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_pact_versions_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_versions")),
        sa.UniqueConstraint("proposal_id", "number", name="uq_pact_versions_number"),
    )
    with op.batch_alter_table("pact_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pact_versions_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=False),
        sa.Column("signer_role", sa.String(length=20), nullable=False),
        sa.Column("typed_name", sa.String(length=200), nullable=False),
        sa.Column("signed_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_signatures_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"], ["users.id"], name=op.f("fk_signatures_signer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sa.UniqueConstraint(
            "proposal_id", "signer_role", name="uq_signatures_proposal_id_signer_role"
        ),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_signatures_proposal_id"), ["proposal_id"], unique=False
        )

    op.create_table(
        "technical_opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("requested_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("given_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("positive", sa.Boolean(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_technical_opinions_proposal_id_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_technical_opinions_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technical_opinions")),
    )
    with op.batch_alter_table("technical_opinions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technical_opinions_proposal_id"), ["proposal_id"], unique=False
        )

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lock_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("decision_number", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("decision_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("deliberation_number", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("deliberation_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("review_started_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("review_paused_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("review_paused_seconds", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("review_stopped_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("integration_due_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("notice_ends_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("deliberation_due_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("next_report_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_effective_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("predecessor_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_proposals_integration_due_at"), ["integration_due_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposals_next_report_due_on"), ["next_report_due_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposals_notice_ends_at"), ["notice_ends_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposals_predecessor_id"), ["predecessor_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_proposals_predecessor_id_proposals"),
            "proposals",
            ["predecessor_id"],
            ["id"],
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_GUARD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_proposals_predecessor_id_proposals"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_proposals_predecessor_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_notice_ends_at"))
        batch_op.drop_index(batch_op.f("ix_proposals_next_report_due_on"))
        batch_op.drop_index(batch_op.f("ix_proposals_integration_due_at"))
        batch_op.drop_column("predecessor_id")
        batch_op.drop_column("withdrawal_effective_on")
        batch_op.drop_column("next_report_due_on")
        batch_op.drop_column("deliberation_due_at")
        batch_op.drop_column("notice_ends_at")
        batch_op.drop_column("integration_due_at")
        batch_op.drop_column("review_stopped_at")
        batch_op.drop_column("review_paused_seconds")
        batch_op.drop_column("review_paused_at")
        batch_op.drop_column("review_started_at")
        batch_op.drop_column("deliberation_date")
        batch_op.drop_column("deliberation_number")
        batch_op.drop_column("decision_date")
        batch_op.drop_column("decision_number")
        batch_op.drop_column("lock_version")

    with op.batch_alter_table("technical_opinions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technical_opinions_proposal_id"))

    op.drop_table("technical_opinions")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signatures_proposal_id"))

    op.drop_table("signatures")
    with op.batch_alter_table("pact_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pact_versions_proposal_id"))

    op.drop_table("pact_versions")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_sent_at"))
        batch_op.drop_index(batch_op.f("ix_notifications_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_proposal_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_created_at"))

    op.drop_table("notifications")
    with op.batch_alter_table("monitoring_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_reports_proposal_id"))

    op.drop_table("monitoring_reports")
    with op.batch_alter_table("co_design_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_co_design_meetings_proposal_id"))

    op.drop_table("co_design_meetings")
    op.drop_table("protocol_counters")
