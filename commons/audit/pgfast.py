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
  with minimal quoting; NULL as an empty cell; lines end with CRLF; text neutralised against
  spreadsheet formulas by ``commons.tables.sql_neutralise``, the twin of ``neutralise``.

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
from commons.tables import sql_neutralise

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

# The canonical JSON an event's hash covers (chain.event_fields, keys sorted, without "hash"
# and "protocol_number") is HASHED_HEAD + payload + HASHED_TAIL (verify_chain reads these).
HASHED_HEAD = _concat(
    _lit('{"actor_id":'),
    _json_int(f"{E}actor_id"),
    _lit(',"actor_role":'),
    _json_text(f"{E}actor_role"),
    _lit(',"from_state":'),
    _json_text(f"{E}from_state"),
    _lit(',"occurred_at":"'),
    ISO_UTC,
    _lit('","payload":'),
)
HASHED_TAIL = _concat(
    _lit(',"prev_hash":'),
    _json_text(f"{E}prev_hash"),
    _lit(',"proposal_id":'),
    _json_int(f"{E}proposal_id"),
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


# --- CSV and JSON Lines exports through COPY --------------------------------------------------
#
# The server writes every line and checks that the stored payload text is the canonical JSON
# the event's hash covers: SHA-256 over HASHED_HEAD + stored text + HASHED_TAIL equals the
# stored hash (PostgreSQL 11+ has sha256(bytea)). Lines stream out of ``COPY (SELECT ...) TO
# STDOUT``: JSON Lines as one column in COPY's text format (which doubles backslashes), CSV as
# the fourteen columns in COPY's own CSV format, whose quoting is ``csv.writer``'s minimal
# quoting. Python turns COPY's row ends into the export's and undoes the doubled backslashes
# with bytes.replace() on blocks of rows, and writes them. An event whose check fails (a
# payload stored otherwise than canonically, an altered event; for CSV also a payload that is
# not an object or a list, or a line end inside a cell) comes out instead as a marked row:
# "!" followed by the JSON array of its raw values (BASE_COLUMNS), and Python writes its line
# with the reference rules: exported as it is stored, never "fixed". Nothing per row runs in
# Python otherwise, apart from psycopg handing over each COPY row.

# The base query's columns (commons.audit.event_lines._pg_base_select labels them so).
BASE_COLUMNS = (
    "seq",
    "ts",
    "pn",
    "pid",
    "trig",
    "src",
    "dst",
    "actor",
    "an",
    "role",
    "pay",
    "pub",
    "prev",
    "h",
)
MARKER = "!"
# The text columns of a line, concatenated: when this holds no quote, backslash or control
# character, no JSON string needs escaping.
_TEXT_COLUMNS = ("pn", "trig", "src", "dst", "an", "role", "prev", "h")


def _j(column: str) -> str:
    return (
        f"CASE WHEN plain THEN coalesce('\"' || {column} || '\"', 'null') "
        f"ELSE {_json_text(column)} END"
    )


def _marked() -> str:
    return f"'{MARKER}' || json_build_array(" + ", ".join(BASE_COLUMNS) + ")::text"


def export_copy_sql(fmt: str, base_sql: str) -> str:
    """``COPY (...) TO STDOUT`` of the events ``base_sql`` selects (a SELECT of BASE_COLUMNS
    ordered by seq): JSON Lines as one text column (COPY ends each row with "\\n"), CSV rows in
    COPY's CSV format (rows end with "\\n", not "\\r\\n"); marked rows where Python must write
    the line.

    Each layer is a subquery with ``OFFSET 0``, so that PostgreSQL computes a value once
    instead of inlining its expression wherever it is used; the layers keep the order of the
    base query's rows (a subquery scan reads its input in order; an ``ORDER BY`` outside
    would make PostgreSQL sort the finished lines again, on disk)."""
    if fmt not in ("csv", "jsonl"):
        raise ValueError(fmt)
    everything = " || ".join(f"coalesce({c}, '')" for c in _TEXT_COLUMNS)
    texts = f"SELECT b.*, {everything} AS allt FROM ({base_sql}) AS b"  # noqa: S608 - see below
    plain = "to_json(allt)::text = '\"' || allt || '\"'"
    one_line = "strpos(allt, chr(10)) + strpos(allt, chr(13)) = 0"
    flagged = (
        f"SELECT t.*, {plain} AS plain, {one_line} AS one_line "  # noqa: S608 - constants
        f"FROM ({texts} OFFSET 0) AS t"
    )
    # The canonical JSON the hash covers is a0 + a + b + payload + c + d; a JSON line adds jn
    # (the actor's name, which the hash does not cover), jh and jp.
    pieces = {
        "a0": _concat(_lit('{"actor_id":'), _json_int("actor")),
        "a": _concat(
            _lit(',"actor_role":'),
            _j("role"),
            _lit(',"from_state":'),
            _j("src"),
        ),
        "b": _concat(_lit(',"occurred_at":"'), "ts", _lit('","payload":')),
        "c": _concat(_lit(',"prev_hash":'), _j("prev"), _lit(',"proposal_id":'), _json_int("pid")),
        "d": _concat(
            _lit(',"public":'),
            _json_bool("pub"),
            _lit(',"seq":'),
            "seq::text",
            _lit(',"to_state":'),
            _j("dst"),
            _lit(',"trigger":'),
            _j("trig"),
            _lit("}"),
        ),
    }
    if fmt == "jsonl":
        pieces["jn"] = _concat(_lit(',"actor_name":'), _j("an"))
        pieces["jh"] = _concat(_lit(',"hash":'), _j("h"))
        pieces["jp"] = _concat(_lit(',"protocol_number":'), _j("pn"))
    made = (
        "SELECT f.*, "  # noqa: S608 - constants
        + ", ".join(f"{sql} AS {name}" for name, sql in pieces.items())
        + f" FROM ({flagged} OFFSET 0) AS f"
    )
    hash_ok = "encode(sha256(convert_to(a0 || a || b || pay || c || d, 'UTF8')), 'hex') = h"
    if fmt == "jsonl":
        select = (
            f"SELECT CASE WHEN {hash_ok} THEN a0 || jn || a || jh || b || pay || c || jp || d "  # noqa: S608
            f"ELSE {_marked()} END FROM ({made} OFFSET 0) AS m"
        )
        options = ""
    else:
        # csv.writer over bundle.cell: NULL and '' are both an empty cell (COPY would quote
        # ''), booleans true/false, the payload (an object or a list) its JSON text.
        usable = f"left(pay, 1) IN ('{{', '[') AND one_line AND {hash_ok}"
        checked = f"SELECT m.*, {usable} AS ok FROM ({made} OFFSET 0) AS m"  # noqa: S608
        cells = {
            "seq": f"CASE WHEN ok THEN seq::text ELSE {_marked()} END",
            "pub": "CASE WHEN ok THEN (CASE WHEN pub THEN 'true' WHEN NOT pub THEN 'false' END) "
            "END",
        }
        columns = []
        for name in BASE_COLUMNS:
            if name in cells:
                columns.append(cells[name])
            elif name in _TEXT_COLUMNS:  # bundle.table_cell: neutralised text
                columns.append(f"CASE WHEN ok THEN nullif({sql_neutralise(name)}, '') END")
            else:
                columns.append(f"CASE WHEN ok THEN {name} END")
        select = f"SELECT {', '.join(columns)} FROM ({checked} OFFSET 0) AS k"  # noqa: S608
        options = " WITH (FORMAT csv)"
    if "%" in select.replace(base_sql, ""):
        raise ValueError("a literal % would be taken for a parameter")
    return f"COPY ({select}) TO STDOUT{options}"


# Rows of COPY joined into one block before Python looks at them.
BLOCK_ROWS = 2_000


def copy_blocks(sql: str, params, session=None, rows: int = 0) -> Iterator[tuple[bytes, int]]:
    """Run ``COPY ... TO STDOUT`` on the session's connection, in its transaction (psycopg
    merges ``params`` into the statement); yield (block of whole rows as sent, rows in it)."""
    session = session if session is not None else db.session
    raw = session.connection().connection.driver_connection
    rows = rows or BLOCK_ROWS
    with raw.cursor() as cursor, cursor.copy(sql, params) as copy:
        received = iter(copy)
        while block := list(itertools.islice(received, rows)):
            yield b"".join(block), len(block)


def client_is_utf8(session=None) -> bool:
    session = session if session is not None else db.session
    return session.connection().connection.driver_connection.info.encoding == "utf-8"


# A marked row starts with MARKER in COPY's text format, with a quote and MARKER in its CSV
# format (the JSON array holds quotes); no other row does: JSON lines start with "{", CSV rows
# with the event's number. Rows end with "\n" and hold no other "\n" (COPY's text format
# escapes it; a CSV row with a line end in a cell is a marked row, and JSON escapes its own).
_STARTS = {"jsonl": MARKER.encode(), "csv": b'"' + MARKER.encode()}


def has_marked(fmt: str, block: bytes) -> bool:
    start = _STARTS[fmt]
    return block.startswith(start) or b"\n" + start in block


def split_marked(fmt: str, block: bytes) -> Iterator[tuple[bool, bytes]]:
    """The block as runs of ordinary rows (False, rows as sent, each ending in "\\n") and
    marked rows (True, the JSON array of the event's values, UTF-8), in order."""
    start = _STARTS[fmt]
    run: list[bytes] = []
    for row in block.split(b"\n")[:-1]:
        if row.startswith(start):
            if run:
                yield False, b"\n".join(run) + b"\n"
                run = []
            if fmt == "jsonl":  # COPY's text format doubled the backslashes
                yield True, row[len(start) :].replace(b"\\\\", b"\\")
            else:  # the first cell, quoted: quotes doubled; the other cells are empty
                yield True, row[len(start) : row.rindex(b'"')].replace(b'""', b'"')
        else:
            run.append(row)
    if run:
        yield False, b"\n".join(run) + b"\n"


def unescape_text(rows: bytes) -> bytes:
    """JSON lines as COPY's text format sent them: JSON escapes every control character, so
    COPY's only escape there is the doubled backslash."""
    return rows.replace(b"\\\\", b"\\") if b"\\" in rows else rows


def csv_line_ends(rows: bytes) -> bytes:
    """CSV rows as COPY sent them, with the CRLF line ends of csv.writer."""
    return rows.replace(b"\n", b"\r\n")
