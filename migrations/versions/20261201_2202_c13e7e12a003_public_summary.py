"""The public summary of a proposal: objectives, activities, places, times and support asked,
prepared from the application, edited by the office before admission, published with the
notice; one row for the original text and one per translation.

Proposals admitted before this revision have no summary: their pages show what they showed.

Revision ID: c13e7e12a003
Revises: a13e7e12a001
Create Date: 2026-12-01 22:02:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "c13e7e12a003"
down_revision: str | None = "a13e7e12a001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("objectives", sa.Text(), nullable=False),
        sa.Column("activities", sa.Text(), nullable=False),
        sa.Column("places", sa.Text(), nullable=False),
        sa.Column("times", sa.Text(), nullable=False),
        sa.Column("support", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("edited_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edited_by_id"], ["users.id"], name=op.f("fk_public_summaries_edited_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_public_summaries_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_summaries")),
        sa.UniqueConstraint(
            "proposal_id", "language", name="uq_public_summaries_proposal_id_language"
        ),
    )
    op.create_index(
        op.f("ix_public_summaries_proposal_id"), "public_summaries", ["proposal_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_public_summaries_proposal_id"), table_name="public_summaries")
    op.drop_table("public_summaries")
