"""Full-text search over the register, kept by the database itself.

SQLite: an FTS5 table ``commons_fts`` with ``commons`` as its external content, kept in step by
triggers. PostgreSQL: a GIN index on ``to_tsvector('simple', ...)`` of the same columns. Both are
maintained by the database, so every writer (the forms, the importer, the benchmark generator's
bulk inserts) keeps the index current without the application doing anything.

Words are matched by prefix ("giard" finds "Giardino"), all words must match. The 'simple'
configuration does no stemming: the register mixes Italian names and English text, and a
prefix match serves both. FTS5 also folds accents (remove_diacritics); PostgreSQL's 'simple'
does not, which is said in docs/citizens.md.
"""

from __future__ import annotations

import re

from sqlalchemy import DDL, ColumnElement, Integer, column, event, text

from commons.registry.models import Commons

SEARCH_COLUMNS = ("name", "address", "neighbourhood", "district", "description")
# Tables SQLite creates for the FTS5 index; not models (Alembic and the schema checks skip them).
FTS_TABLE = "commons_fts"
SQLITE_SEARCH_TABLES = frozenset(
    {FTS_TABLE} | {f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize", "config")}
)
PG_INDEX = "ix_commons_search"
MAX_WORDS = 8

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
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ai",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_au",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
)


def _document(prefix: str = "") -> str:
    return " || ' ' || ".join(f"coalesce({prefix}{c}, '')" for c in SEARCH_COLUMNS)


# The query repeats this expression so that the planner uses the index.
PG_VECTOR = f"to_tsvector('simple'::regconfig, {_document()})"
PG_CREATE = (f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON commons USING gin ({PG_VECTOR})",)
PG_DROP = (f"DROP INDEX IF EXISTS {PG_INDEX}",)


def create_statements(dialect: str) -> tuple[str, ...]:
    return {"sqlite": SQLITE_CREATE, "postgresql": PG_CREATE}.get(dialect, ())


def drop_statements(dialect: str) -> tuple[str, ...]:
    return {"sqlite": SQLITE_DROP, "postgresql": PG_DROP}.get(dialect, ())


# Schemas made with create_all (tests, benchmarks) get the same index as the migration makes.
for _dialect in ("sqlite", "postgresql"):
    for _sql in create_statements(_dialect):
        event.listen(Commons.__table__, "after_create", DDL(_sql).execute_if(dialect=_dialect))
    for _sql in drop_statements(_dialect):
        event.listen(Commons.__table__, "before_drop", DDL(_sql).execute_if(dialect=_dialect))


def words(query: str) -> list[str]:
    """The words of what the user typed: letters and digits only, lower case, at most 8."""
    return re.findall(r"\w+", query.lower())[:MAX_WORDS]


def matches(query: str, dialect: str) -> ColumnElement[bool] | None:
    """A WHERE clause true for the commons matching every word of ``query`` (None: no words)."""
    terms = words(query)
    if not terms:
        return None
    if dialect == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        vector = f"to_tsvector('simple'::regconfig, {_document('commons.')})"
        return text(f"{vector} @@ to_tsquery('simple'::regconfig, :fts_query)").bindparams(
            fts_query=tsquery
        )
    if dialect == "sqlite":
        fts_query = " ".join(f'"{t}"*' for t in terms)
        return Commons.id.in_(
            text("SELECT rowid FROM commons_fts WHERE commons_fts MATCH :fts_query")
            .bindparams(fts_query=fts_query)
            .columns(column("rowid", Integer))
        )
    # Other databases: a plain substring match on each word.
    from sqlalchemy import and_, or_

    return and_(
        *(or_(*(getattr(Commons, c).ilike(f"%{t}%") for c in SEARCH_COLUMNS)) for t in terms)
    )
