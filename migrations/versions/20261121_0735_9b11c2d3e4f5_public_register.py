"""Public register and consultation: full-text search on the commons, indexes for filtered
pages, comments and requests to join made during public notice.

SQLite: an FTS5 table with the commons as external content, kept by triggers. PostgreSQL: a GIN
index on to_tsvector('simple', ...) of the same columns. No model describes either (migrations/
env.py tells autogenerate to skip them); commons/registry/search.py holds the same statements
for schemas made with create_all.

Revision ID: 9b11c2d3e4f5
Revises: a9971e2b3c4d
Create Date: 2026-11-21 07:35:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import commons.db

revision: str = "9b11c2d3e4f5"
down_revision: str | None = "a9971e2b3c4d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS commons_fts USING fts5(name, address, neighbourhood, "
    "district, description, content='commons', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS commons_fts_ai AFTER INSERT ON commons BEGIN "
    "INSERT INTO commons_fts(rowid, name, address, neighbourhood, district, description) "
    "VALUES (new.id, new.name, new.address, new.neighbourhood, new.district, new.description); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS commons_fts_ad AFTER DELETE ON commons BEGIN "
    "INSERT INTO commons_fts(commons_fts, rowid, name, address, neighbourhood, district, "
    "description) VALUES ('delete', old.id, old.name, old.address, old.neighbourhood, "
    "old.district, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS commons_fts_au AFTER UPDATE ON commons BEGIN "
    "INSERT INTO commons_fts(commons_fts, rowid, name, address, neighbourhood, district, "
    "description) VALUES ('delete', old.id, old.name, old.address, old.neighbourhood, "
    "old.district, old.description); "
    "INSERT INTO commons_fts(rowid, name, address, neighbourhood, district, description) "
    "VALUES (new.id, new.name, new.address, new.neighbourhood, new.district, new.description); "
    "END",
    # Index what is already there (a migration on a filled register).
    "INSERT INTO commons_fts(commons_fts) VALUES ('rebuild')",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS commons_fts_ai",
    "DROP TRIGGER IF EXISTS commons_fts_ad",
    "DROP TRIGGER IF EXISTS commons_fts_au",
    "DROP TABLE IF EXISTS commons_fts",
)
PG_CREATE = (
    "CREATE INDEX IF NOT EXISTS ix_commons_search ON commons USING gin "
    "(to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(address, '') || ' ' "
    "|| coalesce(neighbourhood, '') || ' ' || coalesce(district, '') || ' ' "
    "|| coalesce(description, '')))",
)
PG_DROP = ("DROP INDEX IF EXISTS ix_commons_search",)


def _run(sqlite: tuple[str, ...], postgresql: tuple[str, ...]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": sqlite, "postgresql": postgresql}.get(dialect, ()):
        op.execute(statement)


PAGE_INDEXES = {
    "ix_commons_district_name_id": ["district", "name", "id"],
    "ix_commons_kind_name_id": ["kind", "name", "id"],
    "ix_commons_availability_name_id": ["availability", "name", "id"],
}


def upgrade() -> None:
    for name, columns in PAGE_INDEXES.items():
        op.create_index(name, "commons", columns, unique=False)
    _run(SQLITE_CREATE, PG_CREATE)
    op.create_table(
        "consultation_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hidden_at", commons.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_consultation_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["users.id"],
            name=op.f("fk_consultation_comments_hidden_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_consultation_comments_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_comments")),
    )
    op.create_index(
        op.f("ix_consultation_comments_author_id"),
        "consultation_comments",
        ["author_id"],
        unique=False,
    )
    op.create_index(
        "ix_consultation_comments_proposal_id_id",
        "consultation_comments",
        ["proposal_id", "id"],
        unique=False,
    )
    op.create_table(
        "join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", commons.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_join_requests_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_join_requests_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
        sa.UniqueConstraint("proposal_id", "user_id", name="uq_join_requests_proposal_id_user_id"),
    )
    op.create_index(
        op.f("ix_join_requests_proposal_id"), "join_requests", ["proposal_id"], unique=False
    )
    op.create_index(op.f("ix_join_requests_user_id"), "join_requests", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_join_requests_user_id"), table_name="join_requests")
    op.drop_index(op.f("ix_join_requests_proposal_id"), table_name="join_requests")
    op.drop_table("join_requests")
    op.drop_index("ix_consultation_comments_proposal_id_id", table_name="consultation_comments")
    op.drop_index(op.f("ix_consultation_comments_author_id"), table_name="consultation_comments")
    op.drop_table("consultation_comments")
    _run(SQLITE_DROP, PG_DROP)
    for name in PAGE_INDEXES:
        op.drop_index(name, table_name="commons")
