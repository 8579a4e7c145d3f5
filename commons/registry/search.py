"""Full-text search over the register, kept by the database itself.

SQLite: an FTS5 table ``commons_fts`` with ``commons`` as its external content, kept in step by
triggers. PostgreSQL: a GIN index on ``to_tsvector('simple', ...)`` of the same columns. Both are
maintained by the database, so every writer (the forms, the importer, the benchmark generator's
bulk inserts) keeps the index current without the application doing anything.

Words are matched by prefix ("giard" finds "Giardino"), all words must match. The 'simple'
configuration does no stemming: the register mixes Italian names and English text, and a
prefix match serves both. Accents do not matter on either database: FTS5 folds them
(remove_diacritics); on PostgreSQL both the indexed text and the query go through the
``unaccent`` extension, by way of ``commons_unaccent``, an IMMUTABLE wrapper (``unaccent``
itself is only STABLE, since its dictionary could change, so it cannot appear in an index).

How a page of matches is found (``strategy``) is explained in docs/performance.md: the page
order is (name, id), which the full-text index does not know, so either every match is read
through the full-text index and the page is sorted out of them ("collect", best when matches
are few), or the (name, id) index is walked in order keeping the rows that match, until the page
is full ("walk", best when matches are many). Both give the same rows in the same order.
"""

from __future__ import annotations

import re

from sqlalchemy import DDL, ColumnElement, Integer, TextClause, column, event, func, select, text
from sqlalchemy.orm import Session

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


PG_UNACCENT = "commons_unaccent"
# unaccent() with its dictionary named, schema-qualified so that the function does not depend on
# the caller's search_path, and declared IMMUTABLE so that an index can use it.
PG_CREATE_UNACCENT = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"CREATE OR REPLACE FUNCTION {PG_UNACCENT}(text) RETURNS text LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE STRICT AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
)


def _pg_vector(prefix: str = "") -> str:
    return f"to_tsvector('simple'::regconfig, {PG_UNACCENT}({_document(prefix)}))"


# The query repeats this expression so that the planner uses the index.
PG_VECTOR = _pg_vector()
PG_CREATE = (
    *PG_CREATE_UNACCENT,
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON commons USING gin ({PG_VECTOR})",
)
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


def _pg_tsquery(terms: list[str]) -> str:
    return " & ".join(f"{t}:*" for t in terms)


PG_MATCH = f"{_pg_vector('commons.')} @@ to_tsquery('simple'::regconfig, {PG_UNACCENT}(:fts_query))"


# Built from constants only; the words are a bound parameter.
PG_ESTIMATE = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM commons WHERE {PG_MATCH}"  # noqa: S608


def _pg_match(terms: list[str]) -> TextClause:
    return text(PG_MATCH).bindparams(fts_query=_pg_tsquery(terms))


def _sqlite_hits(terms: list[str]):
    fts_query = " ".join(f'"{t}"*' for t in terms)
    return (
        text("SELECT rowid FROM commons_fts WHERE commons_fts MATCH :fts_query")
        .bindparams(fts_query=fts_query)
        .columns(column("rowid", Integer))
    )


def matches(query: str, dialect: str, *, walk: bool = False) -> ColumnElement[bool] | None:
    """A WHERE clause true for the commons matching every word of ``query`` (None: no words).

    ``walk``: the clause is meant to be tested row by row along the (name, id) index. On SQLite
    the id is then written ``id + 0``, so that SQLite builds the set of matching ids once and
    probes it while walking the index in page order, instead of looking up every match by id and
    sorting them all. PostgreSQL's planner makes that choice itself from its estimates.
    """
    terms = words(query)
    if not terms:
        return None
    if dialect == "postgresql":
        return _pg_match(terms)
    if dialect == "sqlite":
        key = (Commons.id + 0) if walk else Commons.id
        return key.in_(_sqlite_hits(terms))
    # Other databases: a plain substring match on each word.
    from sqlalchemy import and_, or_

    return and_(
        *(or_(*(getattr(Commons, c).ilike(f"%{t}%") for c in SEARCH_COLUMNS)) for t in terms)
    )


# The walk is chosen when at least this share of the register matches the words. On SQLite a
# walked row costs about a third of a collected one (an entry of the covering (name, id) index
# and a probe of the set of matches, against a look-up of the row by id and a sort), so from a
# tenth on the walk's worst case (every row read) costs about what collecting all matches does.
# On PostgreSQL a walked row has its text vector computed again (tens of microseconds), so the
# walk is kept for words found in more than half of the register, where a page is full after
# about twice its size of rows.
WALK_SHARE = {"sqlite": 0.1, "postgresql": 0.5}


def estimated_matches(session: Session, query: str, dialect: str) -> int | None:
    """How many commons match the words: exact on SQLite (counting in the FTS5 index is cheap),
    the planner's estimate on PostgreSQL (from the statistics ANALYZE keeps on the index's
    words; an exact count would read every matching row). None when there are no words."""
    terms = words(query)
    if not terms:
        return None
    if dialect == "sqlite":
        hits = _sqlite_hits(terms).subquery()
        return int(session.scalar(select(func.count()).select_from(hits)) or 0)
    if dialect == "postgresql":
        plan = session.execute(
            text(PG_ESTIMATE),
            {"fts_query": _pg_tsquery(terms)},
        ).scalar()
        return int(plan[0]["Plan"]["Plan Rows"])
    return None


def strategy(session: Session, query: str, dialect: str) -> str | None:
    """ "walk" or "collect" (see the module's docstring), or None when there are no words."""
    found = estimated_matches(session, query, dialect)
    if found is None:
        return None
    share = WALK_SHARE.get(dialect)
    if share is None:
        return "walk"
    # The highest id stands for the size of the register: one index seek, where a count would
    # read the whole index (and deleting commons is rare).
    size = session.scalar(select(func.max(Commons.id))) or 0
    return "walk" if size and found >= share * size else "collect"
