"""Privacy: the notice's versions and acknowledgements, erasure requests, and the personal
values of audit events kept outside their hashed payloads (audit_personal_values).

Events written before this revision keep their payloads: the chain is immutable.

Revision ID: d3a9d0000001
Revises: c2e5a0000001
Create Date: 2026-12-03 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "d3a9d0000001"
down_revision: str | None = "c2e5a0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_personal_values",
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("erased_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["users.id"], name=op.f("fk_audit_personal_values_subject_id_users")
        ),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_audit_personal_values")),
    )
    with op.batch_alter_table("audit_personal_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_personal_values_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'done', 'refused')",
            name=op.f("ck_erasure_requests_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_erasure_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_erasure_requests_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erasure_requests_user_id"), ["user_id"], unique=False)

    op.create_table(
        "privacy_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("context", sa.String(length=16), nullable=False),
        sa.Column("acknowledged_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_privacy_acknowledgements_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_acknowledgements")),
    )
    with op.batch_alter_table("privacy_acknowledgements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_acknowledgements_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "privacy_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_privacy_notices_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notices")),
        sa.UniqueConstraint("version", "language", name=op.f("uq_privacy_notices_version")),
    )
    with op.batch_alter_table("privacy_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_notices_version"), ["version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("privacy_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_notices_version"))

    op.drop_table("privacy_notices")
    with op.batch_alter_table("privacy_acknowledgements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_acknowledgements_user_id"))

    op.drop_table("privacy_acknowledgements")
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erasure_requests_user_id"))

    op.drop_table("erasure_requests")
    with op.batch_alter_table("audit_personal_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_personal_values_subject_id"))

    op.drop_table("audit_personal_values")
