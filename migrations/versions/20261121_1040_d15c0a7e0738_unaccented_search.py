"""Register search ignores accents on PostgreSQL too ("citta" finds "Città"); an index for the
register filtered by kind and availability together.

PostgreSQL: the unaccent extension, an IMMUTABLE wrapper commons_unaccent(text) (unaccent itself
is STABLE, which an index expression may not use), and the GIN full-text index rebuilt on the
unaccented text. The statements are written out here, not imported from
commons/registry/search.py, so that this revision keeps doing what it did when the code moves
on; search.py holds the same ones for schemas made with create_all. SQLite: nothing to do, FTS5
already folds accents (remove_diacritics).

Revision ID: d15c0a7e0738
Revises: c0de5e5a0737
Create Date: 2026-11-21 10:40:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d15c0a7e0738"
down_revision: str | None = "c0de5e5a0737"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DOCUMENT = (
    "coalesce(name, '') || ' ' || coalesce(address, '') || ' ' || coalesce(neighbourhood, '') "
    "|| ' ' || coalesce(district, '') || ' ' || coalesce(description, '')"
)
UPGRADE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION commons_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE "
    "PARALLEL SAFE STRICT AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
    "DROP INDEX IF EXISTS ix_commons_search",
    "CREATE INDEX ix_commons_search ON commons USING gin "
    f"(to_tsvector('simple'::regconfig, commons_unaccent({DOCUMENT})))",
)
DOWNGRADE = (
    "DROP INDEX IF EXISTS ix_commons_search",
    "DROP FUNCTION IF EXISTS commons_unaccent(text)",
    "DROP EXTENSION IF EXISTS unaccent",
    f"CREATE INDEX ix_commons_search ON commons USING gin (to_tsvector('simple'::regconfig, "
    f"{DOCUMENT}))",
)


def _run(statements: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in statements:
            op.execute(statement)


def upgrade() -> None:
    _run(UPGRADE)
    op.create_index(
        "ix_commons_kind_availability_name_id",
        "commons",
        ["kind", "availability", "name", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_commons_kind_availability_name_id", table_name="commons")
    _run(DOWNGRADE)
