"""Offers and needs: the posts groups and the office make on commons and pacts in force
(moderated), and the "I can help" answers to them (one a person a post); the consent to
publish a monitoring report's photos (false for the reports filed before it was asked) and
the hash of a photo's public copy without metadata.

Revision ID: e8c4a0000001
Revises: ca11a0000001
Create Date: 2026-12-04 19:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "e8c4a0000001"
down_revision: str | None = "ca11a0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offer_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.String(length=100), nullable=True),
        sa.Column("timing", sa.String(length=200), nullable=True),
        sa.Column("commons_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("moderated_by_id", sa.Integer(), nullable=True),
        sa.Column("moderated_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("closed_as", sa.String(length=10), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "category IN ('volunteers', 'skills', 'materials', 'spaces', 'small_funds')",
            name=op.f("ck_offer_posts_category_known"),
        ),
        sa.CheckConstraint(
            "closed_as IS NULL OR closed_as IN ('fulfilled', 'withdrawn')",
            name=op.f("ck_offer_posts_closed_known"),
        ),
        sa.CheckConstraint("kind IN ('offer', 'need')", name=op.f("ck_offer_posts_kind_known")),
        sa.CheckConstraint(
            "status IN ('pending', 'published', 'closed', 'rejected')",
            name=op.f("ck_offer_posts_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_offer_posts_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_offer_posts_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["commons_id"], ["commons.id"], name=op.f("fk_offer_posts_commons_id_commons")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["proponent_groups.id"],
            name=op.f("fk_offer_posts_group_id_proponent_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by_id"], ["users.id"], name=op.f("fk_offer_posts_moderated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_offer_posts_proposal_id_proposals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_posts")),
    )
    with op.batch_alter_table("offer_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_posts_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            "ix_offer_posts_category_status_published_at",
            ["category", "status", "published_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_offer_posts_commons_id"), ["commons_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offer_posts_group_id"), ["group_id"], unique=False)
        batch_op.create_index(
            "ix_offer_posts_kind_status_published_at",
            ["kind", "status", "published_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_offer_posts_proposal_id"), ["proposal_id"], unique=False
        )
        batch_op.create_index(
            "ix_offer_posts_status_created_at_id", ["status", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_offer_posts_status_published_at_id", ["status", "published_at", "id"], unique=False
        )

    op.create_table(
        "offer_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["offer_posts.id"],
            name=op.f("fk_offer_responses_post_id_offer_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_offer_responses_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_responses")),
        sa.UniqueConstraint("post_id", "user_id", name="uq_offer_responses_post_id"),
    )
    with op.batch_alter_table("offer_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_responses_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("monitoring_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("photos_public", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_column("public_sha256")
    with op.batch_alter_table("monitoring_reports", schema=None) as batch_op:
        batch_op.drop_column("photos_public")

    with op.batch_alter_table("offer_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_responses_user_id"))

    op.drop_table("offer_responses")
    with op.batch_alter_table("offer_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_posts_status_published_at_id")
        batch_op.drop_index("ix_offer_posts_status_created_at_id")
        batch_op.drop_index(batch_op.f("ix_offer_posts_proposal_id"))
        batch_op.drop_index("ix_offer_posts_kind_status_published_at")
        batch_op.drop_index(batch_op.f("ix_offer_posts_group_id"))
        batch_op.drop_index(batch_op.f("ix_offer_posts_commons_id"))
        batch_op.drop_index("ix_offer_posts_category_status_published_at")
        batch_op.drop_index(batch_op.f("ix_offer_posts_author_id"))

    op.drop_table("offer_posts")
