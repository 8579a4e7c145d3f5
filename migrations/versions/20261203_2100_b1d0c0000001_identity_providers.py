"""Login with SPID, CIE, eIDAS: who confirmed a tax code; how each signature was made.

users.tax_code_confirmed_by names the identity provider that confirmed the account's tax code
(logging in with a provider finds the account by it). signatures.identity_provider and
signatures.assurance_level record how the signer proved who they were for that signature:
"password", or the provider they re-authenticated with and the level of assurance it gave.
All nullable: existing accounts and signatures have none.

Revision ID: b1d0c0000001
Revises: d16a5e550001
Create Date: 2026-12-03 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b1d0c0000001"
down_revision: str | None = "d16a5e550001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("tax_code_confirmed_by", sa.String(length=40), nullable=True))
    with op.batch_alter_table("signatures") as batch:
        batch.add_column(sa.Column("identity_provider", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("assurance_level", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signatures") as batch:
        batch.drop_column("assurance_level")
        batch.drop_column("identity_provider")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("tax_code_confirmed_by")
