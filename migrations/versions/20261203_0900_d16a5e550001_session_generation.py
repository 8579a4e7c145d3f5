"""Sessions that end: users.session_generation replaces users.session_token.

The login session and the remember cookie carry "id:generation"; logout, a password change
and an administrator's deactivation bump the generation (commons.auth.operations.
end_all_sessions), so every session and remember cookie issued before is refused. The random
session_token it replaces was only replaced on a password change or deactivation, never on
logout; the cookies are signed with the secret key, so a counter is as safe inside them.
Upgrading starts every account at generation 0: sessions opened before it are logged out once.

Revision ID: d16a5e550001
Revises: a11c0e7d0001
Create Date: 2026-12-03 09:00:00+00:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d16a5e550001"
down_revision: str | None = "a11c0e7d0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )
        batch.drop_column("session_token")


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(session_token=secrets.token_urlsafe(24))
        )
    with op.batch_alter_table("users") as batch:
        batch.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)
        batch.drop_column("session_generation")
