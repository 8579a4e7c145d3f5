"""Public register: full-text search index on the commons.

SQLite: an FTS5 table with the commons as external content, kept by triggers. PostgreSQL: a GIN
index on to_tsvector('simple', ...) of the same columns. No model describes either (migrations/
env.py tells autogenerate to skip them); commons/registry/search.py holds the same statements
for schemas made with create_all.

Revision ID: 9b11c2d3e4f5
Revises: 38d1a62d7b5c
Create Date: 2026-11-21 07:35:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9b11c2d3e4f5"
down_revision: str | None = "38d1a62d7b5c"
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


def upgrade() -> None:
    _run(SQLITE_CREATE, PG_CREATE)


def downgrade() -> None:
    _run(SQLITE_DROP, PG_DROP)
