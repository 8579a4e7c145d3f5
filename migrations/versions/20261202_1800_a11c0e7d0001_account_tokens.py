"""Account links (password reset, e-mail verification) and the verified address.

Accounts that exist already are marked verified at the time of the upgrade: they were made
before the registry asked for a confirmation, by people the city has been dealing with.

Revision ID: a11c0e7d0001
Revises: c0c4ec6b0001
Create Date: 2026-12-02 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "a11c0e7d0001"
down_revision: str | None = "c0c4ec6b0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("email_verified_at", commons.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(
        sa.text("UPDATE users SET email_verified_at = :now").bindparams(
            sa.bindparam("now", commons.db.utcnow(), type_=commons.db.UTCDateTime(timezone=True))
        )
    )
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "purpose IN ('reset', 'verify')", name=op.f("ck_account_tokens_purpose_known")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_account_tokens_digest")),
    )
    with op.batch_alter_table("account_tokens") as batch:
        batch.create_index(batch.f("ix_account_tokens_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("account_tokens") as batch:
        batch.drop_index(batch.f("ix_account_tokens_user_id"))
    op.drop_table("account_tokens")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_verified_at")
