"""Issued documents: pact PDFs (draft, final, signed) recorded by their SHA-256.

Revision ID: 38d1a62d7b5c
Revises: 75101c9448a6
Create Date: 2026-11-21 05:54:16.305301+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "38d1a62d7b5c"
down_revision: str | None = "75101c9448a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('draft', 'final', 'signed')", name=op.f("ck_documents_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_documents_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["pact_versions.id"], name=op.f("fk_documents_version_id_pact_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("sha256", name=op.f("uq_documents_sha256")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_proposal_id"), ["proposal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_version_id"), ["version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_version_id"))
        batch_op.drop_index(batch_op.f("ix_documents_proposal_id"))

    op.drop_table("documents")
