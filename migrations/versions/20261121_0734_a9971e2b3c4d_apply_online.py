"""Apply online: uploaded attachments, group invitations, proposed new places, comments on pact
drafts, and an e-mail recipient for the outbox.

Revision ID: a9971e2b3c4d
Revises: 0ff1ce2b3c4d
Create Date: 2026-11-21 07:34:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "a9971e2b3c4d"
down_revision: str | None = "0ff1ce2b3c4d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("linked_id", sa.Integer(), nullable=True),
        sa.Column("storage_name", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')",
            name=op.f("ck_attachments_content_type_known"),
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_attachments_size_positive")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_attachments_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_attachments_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("storage_name", name=op.f("uq_attachments_storage_name")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachments_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            "ix_attachments_proposal_id_purpose", ["proposal_id", "purpose"], unique=False
        )

    op.create_table(
        "pact_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_pact_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_pact_comments_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["pact_versions.id"],
            name=op.f("fk_pact_comments_version_id_pact_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pact_comments")),
    )
    with op.batch_alter_table("pact_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pact_comments_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pact_comments_version_id"), ["version_id"], unique=False
        )

    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invitation_token_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_group_members_invitation_token_hash"), ["invitation_token_hash"]
        )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_email", sa.String(length=254), nullable=True))

    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("new_place_address", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("new_place_latitude", sa.Numeric(precision=9, scale=6), nullable=True)
        )
        batch_op.add_column(
            sa.Column("new_place_longitude", sa.Numeric(precision=9, scale=6), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("new_place_longitude")
        batch_op.drop_column("new_place_latitude")
        batch_op.drop_column("new_place_address")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("recipient_email")

    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_group_members_invitation_token_hash"), type_="unique"
        )
        batch_op.drop_column("invitation_token_hash")

    with op.batch_alter_table("pact_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pact_comments_version_id"))
        batch_op.drop_index(batch_op.f("ix_pact_comments_proposal_id"))

    op.drop_table("pact_comments")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_proposal_id_purpose")
        batch_op.drop_index(batch_op.f("ix_attachments_owner_id"))

    op.drop_table("attachments")
