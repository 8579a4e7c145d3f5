"""PostgreSQL fast paths for the audit's bulk reads: CSV and JSON Lines exports, chain checks.

On PostgreSQL the server writes, for each event, the text of its line (CSV or JSON Lines) or of
its canonical JSON around the payload, and Python only makes the payload canonical (a JSON
round trip, cached per distinct text) and joins three strings. Rows come from a server-side
psycopg cursor as plain tuples, without SQLAlchemy's result processing.

The SQL reproduces Python's rules exactly, which ``tests/test_bench_audit.py`` checks on both
databases with awkward values (quotes, commas, line ends, control and non-ASCII characters):

- JSON strings: ``to_json(text)`` escapes ``"``, ``\\``, ``\\b \\f \\n \\r \\t`` and other
  characters below U+0020 as ``\\u00xx`` (lower-case hex) and nothing else, as
  ``json.encoder.encode_basestring`` (``ensure_ascii=False``) does;
- integers: ``bigint::text`` is ``int.__repr__``; booleans ``true``/``false``; NULL ``null``;
- the timestamp: ``to_char`` in UTC gives ``datetime.isoformat(timespec="microseconds")``;
- CSV cells: quoted when they hold ``"``, ``,``, CR or LF, quotes doubled, as ``csv.writer``
  with minimal quoting; NULL as an empty cell; lines end with CRLF.

Payloads are stored as their canonical JSON text (``CanonicalJSON`` in commons.audit.models),
so the stored text is used as it is when the event's hash, computed over it, matches the
stored hash: that proves the text is the canonical JSON that was hashed (the fixed shape of
the hashed object leaves no other way to split it). Payloads stored otherwise (events written
before that, or altered) are parsed and re-serialised as before.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlalchemy import literal_column

from commons.extensions import db

ISO_UTC = (
    """to_char(timezone('UTC', audit_events.occurred_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
)
FETCH = 2_000
_names = itertools.count(1)


def _json_text(column: str) -> str:
    return f"coalesce(to_json({column})::text, 'null')"


def _json_int(column: str) -> str:
    return f"coalesce({column}::text, 'null')"


def _json_bool(column: str) -> str:
    return f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' ELSE 'null' END"


def _csv_text(column: str) -> str:
    # strpos() is cheaper than a regular expression here.
    special = " + ".join(f"strpos({column}, {c})" for c in ("'\"'", "','", "chr(13)", "chr(10)"))
    return (
        f"CASE WHEN {column} IS NULL THEN '' "
        f"WHEN {special} > 0 THEN '\"' || replace({column}, '\"', '\"\"') || '\"' "
        f"ELSE {column} END"
    )


def _csv_int(column: str) -> str:
    return f"coalesce({column}::text, '')"


def _csv_bool(column: str) -> str:
    return f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' ELSE '' END"


def _concat(*parts: str) -> str:
    return "(" + " || ".join(parts) + ")"


def _lit(text: str) -> str:
    """A SQL string literal (E'' syntax, so CR and LF can be written as escapes)."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'").replace("\r", "\\r")
    return "E'" + escaped.replace("\n", "\\n") + "'"


E = "audit_events."

# The CSV line of an event (bundle.EVENT_COLUMNS) before and after its payload cell.
CSV_HEAD = _concat(
    f"{E}seq::text",
    "','",
    ISO_UTC,
    "','",
    _csv_text("proposals.protocol_number"),
    "','",
    _csv_int(f"{E}proposal_id"),
    "','",
    _csv_text(f"{E}trigger"),
    "','",
    _csv_text(f"{E}from_state"),
    "','",
    _csv_text(f"{E}to_state"),
    "','",
    _csv_int(f"{E}actor_id"),
    "','",
    _csv_text(f"{E}actor_role"),
    "','",
)
CSV_TAIL = _concat(
    "','",
    _csv_bool(f"{E}public"),
    "','",
    _csv_text(f"{E}prev_hash"),
    "','",
    _csv_text(f"{E}hash"),
    _lit("\r\n"),
)

# The JSON Lines line (canonical_json(event_object(row)), keys sorted) is
#   A + H + B + payload + C + P + D + "\n"
# and the canonical JSON an event's hash covers (chain.event_fields, without "hash" and
# "protocol_number") is A + B + payload + C + D: both are made from the same pieces.
JSON_A = _concat(
    _lit('{"actor_id":'),
    _json_int(f"{E}actor_id"),
    _lit(',"actor_role":'),
    _json_text(f"{E}actor_role"),
    _lit(',"from_state":'),
    _json_text(f"{E}from_state"),
)
JSON_H = _concat(_lit(',"hash":'), _json_text(f"{E}hash"))
JSON_B = _concat(_lit(',"occurred_at":"'), ISO_UTC, _lit('","payload":'))
JSON_C = _concat(
    _lit(',"prev_hash":'),
    _json_text(f"{E}prev_hash"),
    _lit(',"proposal_id":'),
    _json_int(f"{E}proposal_id"),
)
JSON_P = _concat(_lit(',"protocol_number":'), _json_text("proposals.protocol_number"))
JSON_D = _concat(
    _lit(',"public":'),
    _json_bool(f"{E}public"),
    _lit(',"seq":'),
    f"{E}seq::text",
    _lit(',"to_state":'),
    _json_text(f"{E}to_state"),
    _lit(',"trigger":'),
    _json_text(f"{E}trigger"),
    _lit("}"),
)
HASHED_HEAD = _concat(JSON_A, JSON_B)
HASHED_TAIL = _concat(JSON_C, JSON_D)


def column(sql: str):
    return literal_column(sql)


def is_postgresql(session=None) -> bool:
    session = session if session is not None else db.session
    return session.get_bind().dialect.name == "postgresql"


def stream(stmt, session=None, fetch: int | None = None) -> Iterator[list[tuple]]:
    """Run a SQLAlchemy SELECT on a server-side psycopg cursor of the session's connection, in
    its transaction; yield lists of plain tuples."""
    fetch = fetch or FETCH
    session = session if session is not None else db.session
    connection = session.connection()
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    raw = connection.connection.driver_connection
    with raw.cursor(name=f"commons_audit_{next(_names)}") as cursor:
        cursor.itersize = fetch
        cursor.execute(str(compiled), compiled.params)
        while rows := cursor.fetchmany(fetch):
            yield rows
