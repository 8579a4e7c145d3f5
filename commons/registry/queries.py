"""Reads of the register that several pages need, written once."""

from __future__ import annotations

from sqlalchemy import select, text

from commons.extensions import db
from commons.registry.models import Commons

# A loose index scan: one index seek per district instead of reading the whole index, which
# SELECT DISTINCT does on both SQLite and PostgreSQL (a city has a handful of districts and
# the register may hold 100,000 commons).
DISTRICTS_SQL = text(
    "WITH RECURSIVE d(name) AS ("
    " SELECT min(district) FROM commons"
    " UNION ALL"
    " SELECT (SELECT min(district) FROM commons WHERE district > d.name) FROM d"
    " WHERE d.name IS NOT NULL"
    ") SELECT name FROM d WHERE name IS NOT NULL"
)


def districts() -> list[str]:
    """The known districts: those of the commons of the register, in order."""
    return list(db.session.scalars(DISTRICTS_SQL))


def is_district(name: str) -> bool:
    """Whether some commons of the register is in the district ``name`` (one index seek)."""
    found = db.session.scalar(select(Commons.id).where(Commons.district == name).limit(1))
    return found is not None
