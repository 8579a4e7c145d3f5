"""events.csv and events.jsonl of an audit export, written line by line.

These writers read the events' rows themselves, in bulk, and write each line directly (on
PostgreSQL the server writes most lines, :mod:`commons.audit.pgfast`): the output is byte for
byte what ``bundle.table_cell`` and ``canonical_json(event_object(row))`` give, tests compare
them (tests/test_bench_audit.py, tests/audit/test_safe_tables.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from sqlalchemy import func, select

from commons.audit import bundle
from commons.audit.models import AuditEvent
from commons.audit.queries import BATCH, Filters, actor_name_column, pact_ids, with_actor
from commons.extensions import db
from commons.proposals.models import Proposal
from commons.tables import neutralise

# Told how many more events were written.
Progress = Callable[[int], None]

# The CSV and JSON Lines writers read the events' rows themselves, in bulk: the payload as its
# stored JSON text, made canonical once per distinct text, and on PostgreSQL the timestamp as
# the ISO text ``isoformat(timespec="microseconds")`` gives; then each line is written
# directly. The output is byte for byte what ``bundle.table_cell`` / ``event_object`` give.
_ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'
_PAYLOADS_CACHED = 50_000


def _event_batches(filters: Filters) -> Iterator[list[tuple]]:
    """Lists of (seq, occurred_at ISO text, protocol_number, proposal_id, trigger, from_state,
    to_state, actor_id, actor_name, actor_role, payload canonical JSON text, public, prev_hash,
    hash)."""
    from sqlalchemy import Text, cast

    from commons.audit.chain import payload_json

    postgresql = db.session.get_bind().dialect.name == "postgresql"
    occurred = (
        func.to_char(func.timezone("UTC", AuditEvent.occurred_at), _ISO_UTC)
        if postgresql
        else AuditEvent.occurred_at
    )
    stmt = (
        with_actor(
            select(
                AuditEvent.seq,
                occurred,
                Proposal.protocol_number,
                AuditEvent.proposal_id,
                AuditEvent.trigger,
                AuditEvent.from_state,
                AuditEvent.to_state,
                AuditEvent.actor_id,
                actor_name_column(),
                AuditEvent.actor_role,
                cast(AuditEvent.payload, Text),
                AuditEvent.public,
                AuditEvent.prev_hash,
                AuditEvent.hash,
            ).join(Proposal, Proposal.id == AuditEvent.proposal_id)
        )
        .where(AuditEvent.proposal_id.in_(pact_ids(filters)))
        .order_by(AuditEvent.seq)
        .execution_options(stream_results=True, yield_per=10 * BATCH)
    )
    cache: dict = {}
    for rows in db.session.execute(stmt).partitions():
        batch = []
        for row in rows:
            raw = row[10]
            payload = cache.get(raw)
            if payload is None:
                if len(cache) >= _PAYLOADS_CACHED:
                    cache.clear()
                payload = cache[raw] = payload_json(raw)
            at = row[1] if postgresql else row[1].isoformat(timespec="microseconds")
            batch.append((row[0], at, *row[2:10], payload, *row[11:]))
        yield batch


def _csv_text(value) -> str:
    """A text cell as ``csv.writer`` (minimal quoting, CRLF) writes ``bundle.table_cell(value)``:
    text neutralised against formulas, anything else by ``bundle.cell``."""
    value = neutralise(value) if value.__class__ is str else bundle.cell(value)
    return _quoted(value)


def _quoted(value: str) -> str:
    """A cell's text as ``csv.writer`` (minimal quoting) writes it."""
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_value(value) -> str:
    """A number or boolean cell (``bundle.cell``), without the detour for the common ints."""
    return int.__repr__(value) if value.__class__ is int else bundle.cell(value)


def _csv_payload(canonical: str) -> str:
    """The payload's cell, ``bundle.table_cell(payload)``, from the payload's canonical JSON."""
    if canonical[0] in "{[":
        return _quoted(canonical)
    return _csv_text(json.loads(canonical))  # null, a string (text), a number...


def _csv_line(seq, at, protocol, pid, trig, src, dst, actor, name, role, payload, public, prev, h):
    """One CSV line (``csv.writer`` over ``bundle.table_cell``), from the timestamp's ISO text
    (not text: a time, never neutralised) and the payload's canonical JSON."""
    text, cell = _csv_text, _csv_value
    return (
        f"{cell(seq)},{_quoted(at)},{'' if protocol is None else text(protocol)},"
        f"{cell(pid)},{'' if trig is None else text(trig)},"
        f"{'' if src is None else text(src)},{'' if dst is None else text(dst)},"
        f"{cell(actor)},{'' if name is None else text(name)},"
        f"{'' if role is None else text(role)},{_csv_payload(payload)},"
        f"{cell(public)},{'' if prev is None else text(prev)},"
        f"{'' if h is None else text(h)}\r\n"
    )


def _jsonl_line(
    seq, at, protocol, pid, trig, src, dst, actor, name, role, payload, public, prev, h
):
    """One JSON Lines line, ``canonical_json(event_object(row))`` (keys sorted), from the
    timestamp's ISO text and the payload's canonical JSON. JSON is not a table: text is
    written as stored, never neutralised."""
    from commons.audit.chain import json_value as j

    return (
        f'{{"actor_id":{j(actor)},"actor_name":{j(name)},"actor_role":{j(role)},'
        f'"from_state":{j(src)},'
        f'"hash":{j(h)},"occurred_at":{j(at)},"payload":{payload},'
        f'"prev_hash":{j(prev)},"proposal_id":{j(pid)},"protocol_number":{j(protocol)},'
        f'"public":{j(public)},"seq":{j(seq)},"to_state":{j(dst)},"trigger":{j(trig)}}}\n'
    )


def _pg_base_select(filters: Filters):
    """The selected events' raw values as ``commons.audit.pgfast.export_copy_sql`` reads them
    (``pgfast.BASE_COLUMNS``), ordered by seq; the timestamp as its UTC ISO text."""
    from sqlalchemy import Text, cast

    stmt = with_actor(
        select(
            AuditEvent.seq.label("seq"),
            func.to_char(func.timezone("UTC", AuditEvent.occurred_at), _ISO_UTC).label("ts"),
            Proposal.protocol_number.label("pn"),
            AuditEvent.proposal_id.label("pid"),
            AuditEvent.trigger.label("trig"),
            AuditEvent.from_state.label("src"),
            AuditEvent.to_state.label("dst"),
            AuditEvent.actor_id.label("actor"),
            actor_name_column().label("an"),
            AuditEvent.actor_role.label("role"),
            cast(AuditEvent.payload, Text).label("pay"),
            AuditEvent.public.label("pub"),
            AuditEvent.prev_hash.label("prev"),
            AuditEvent.hash.label("h"),
        )
        .select_from(AuditEvent)
        .join(Proposal, Proposal.id == AuditEvent.proposal_id)
    ).order_by(AuditEvent.seq)
    if filters == Filters():  # every pact: the join alone selects their events
        return stmt
    return stmt.where(AuditEvent.proposal_id.in_(pact_ids(filters)))


def _write_pg_copy(fh, fmt: str, filters: Filters, progress: Progress | None) -> int:
    """PostgreSQL: the server writes the lines (commons.audit.pgfast); Python undoes COPY's
    escaping a block at a time, and writes the few lines the server leaves to it (payloads not
    stored canonically, altered events) with the reference rules."""
    from commons.audit import pgfast
    from commons.audit.chain import payload_json

    session = db.session
    connection = session.connection()
    compiled = _pg_base_select(filters).compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    sql = pgfast.export_copy_sql(fmt, str(compiled))
    make_line = _csv_line if fmt == "csv" else _jsonl_line
    finish = pgfast.csv_line_ends if fmt == "csv" else pgfast.unescape_text
    rows = 0
    for block, count in pgfast.copy_blocks(sql, compiled.params, session):
        if not pgfast.has_marked(fmt, block):
            fh.write(finish(block))
        else:
            for marked, data in pgfast.split_marked(fmt, block):
                if not marked:
                    fh.write(finish(data))
                    continue
                values = json.loads(data)
                pay = pgfast.BASE_COLUMNS.index("pay")
                values[pay] = payload_json(values[pay])  # the stored text, made canonical
                fh.write(make_line(*values).encode())
        rows += count
        if progress is not None:
            progress(count)
    return rows


def _pg_copy_usable() -> bool:
    from commons.audit import pgfast

    return pgfast.is_postgresql() and pgfast.client_is_utf8()


def write_csv(fh, filters: Filters, *, bom: bool = False, progress: Progress | None = None) -> int:
    if bom:
        fh.write("\ufeff".encode())
    fh.write((",".join(bundle.EVENT_COLUMNS) + "\r\n").encode())
    if _pg_copy_usable():
        return _write_pg_copy(fh, "csv", filters, progress)
    return _write_lines(fh, filters, _csv_line, progress)


def write_jsonl(fh, filters: Filters, *, progress: Progress | None = None) -> int:
    if _pg_copy_usable():
        return _write_pg_copy(fh, "jsonl", filters, progress)
    return _write_lines(fh, filters, _jsonl_line, progress)


def _write_lines(fh, filters: Filters, make_line, progress: Progress | None) -> int:
    """SQLite (or a PostgreSQL client not speaking UTF-8): each line made in Python."""
    rows = 0
    for batch in _event_batches(filters):
        fh.write("".join([make_line(*row) for row in batch]).encode())
        rows += len(batch)
        if progress is not None:
            progress(len(batch))
    return rows
