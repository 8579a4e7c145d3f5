"""The ``int`` URL converter every route uses for ids: an id no row can have is not a route.

Without a bound, ``/pacts/99999999999999999999`` reached the database and failed there
(SQLite cannot bind an integer beyond 64 bits; PostgreSQL refuses one beyond its INTEGER
column), so the visitor got a 500 instead of a 404.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# Ids and numbers in addresses are INTEGER columns: 32-bit signed on PostgreSQL, the narrowest
# of the databases we run on. A route for a BIGINT column would declare its own ``max``.
LARGEST_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` with an upper bound: a larger number does not match, so Flask answers 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install(app) -> None:
    """Make ``int`` the bounded converter; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = IdConverter
