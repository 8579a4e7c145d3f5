"""Qualified signatures: a signature's level, certificate and uploaded signed file.

signatures gets level (simple, advanced, qualified; every signature so far was typed: simple),
certificate_subject, fiscal_number and signed_file_sha256; documents.kind may be
'signed_upload' (the final PDF as a party signed it with their own tool, PAdES or .p7m), so
the column widens to 20 characters.

Revision ID: c2e5a0000001
Revises: b1d0c0000001
Create Date: 2026-12-03 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2e5a0000001"
down_revision: str | None = "b1d0c0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signatures") as batch:
        batch.add_column(
            sa.Column("level", sa.String(length=10), server_default="simple", nullable=False)
        )
        batch.add_column(sa.Column("certificate_subject", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("fiscal_number", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("signed_file_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f("ck_documents_kind_known"), type_="check")
        batch.alter_column("kind", existing_type=sa.String(length=10), type_=sa.String(length=20))
        batch.create_check_constraint(
            op.f("ck_documents_kind_known"), "kind IN ('draft', 'final', 'signed', 'signed_upload')"
        )


def downgrade() -> None:
    documents = sa.table("documents", sa.column("kind", sa.String))
    op.execute(documents.delete().where(documents.c.kind == "signed_upload"))
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint(op.f("ck_documents_kind_known"), type_="check")
        batch.alter_column("kind", existing_type=sa.String(length=20), type_=sa.String(length=10))
        batch.create_check_constraint(
            op.f("ck_documents_kind_known"), "kind IN ('draft', 'final', 'signed')"
        )
    with op.batch_alter_table("signatures") as batch:
        batch.drop_column("signed_file_sha256")
        batch.drop_column("fiscal_number")
        batch.drop_column("certificate_subject")
        batch.drop_column("level")
