"""Exports of the audit history of selected pacts: CSV, JSON Lines, XLSX and evidence bundles.

Filters select pacts; the events exported are those of the selected pacts. Every query streams
(``yield_per``) and every file is written as rows arrive, so memory stays constant. Each export
is recorded as an ``exported`` audit event once the file is written (see :func:`run_export`).
The bundle's format and its offline verification live in :mod:`commons.audit.bundle`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import aliased, selectinload

from commons.audit import bundle
from commons.audit.chain import GENESIS_HASH, canonical_json
from commons.audit.models import AuditEvent
from commons.audit.operations import append_event
from commons.auth.models import Role, User
from commons.db import utcnow
from commons.documents import storage
from commons.documents.models import Document, PactVersion, Signature
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import Proposal
from commons.registry.models import Commons
from commons.tables import needs_quote, neutralise

FORMATS = ("csv", "jsonl", "xlsx", "zip")
BATCH = 1000

Progress = Callable[[int], None]


class ExportError(Exception):
    """The export cannot be made (e.g. a document is missing from storage)."""


@dataclass(frozen=True)
class Filters:
    """Which pacts to export. Dates select pacts with at least one event on those days (UTC)."""

    protocols: tuple[str, ...] = ()
    state: str | None = None
    district: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    officer: str | None = None
    # Part of a commons' name (any letter case).
    commons: str | None = None

    def as_dict(self) -> dict:
        values = asdict(self)
        values["protocols"] = list(self.protocols)
        for key in ("date_from", "date_to"):
            values[key] = values[key].isoformat() if values[key] else None
        return values

    @classmethod
    def from_dict(cls, values: dict) -> Filters:
        """The inverse of :meth:`as_dict` (unknown keys are ignored)."""

        def day(value):
            return date.fromisoformat(value) if value else None

        return cls(
            protocols=tuple(values.get("protocols") or ()),
            state=values.get("state") or None,
            district=values.get("district") or None,
            date_from=day(values.get("date_from")),
            date_to=day(values.get("date_to")),
            officer=values.get("officer") or None,
            commons=values.get("commons") or None,
        )


def pact_ids(filters: Filters):
    """A SELECT of the ids of the selected pacts (used as a subquery, never loaded whole)."""
    stmt = select(Proposal.id)
    if filters.protocols:
        stmt = stmt.where(Proposal.protocol_number.in_(filters.protocols))
    if filters.state:
        stmt = stmt.where(Proposal.status == filters.state)
    if filters.district:
        stmt = stmt.where(Proposal.commons.any(Commons.district == filters.district))
    if filters.commons:
        stmt = stmt.where(
            Proposal.commons.any(Commons.name.icontains(filters.commons, autoescape=True))
        )
    if filters.officer:
        officers = select(User.id).where(func.lower(User.email) == filters.officer.lower())
        stmt = stmt.where(Proposal.case_officer_id.in_(officers))
    if filters.date_from or filters.date_to:
        event = aliased(AuditEvent)
        activity = select(event.seq).where(event.proposal_id == Proposal.id)
        if filters.date_from:
            start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
            activity = activity.where(event.occurred_at >= start)
        if filters.date_to:
            end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
            activity = activity.where(event.occurred_at < end)
        stmt = stmt.where(activity.exists())
    return stmt


def _stream(stmt):
    return db.session.execute(stmt.execution_options(yield_per=BATCH))


# Who acted, by name, beside actor_id: the person's name at export time, "system" for an event
# without an actor. Not part of the chain: names change, the hashes do not. The users table is
# joined under an alias, so that the filters' own subqueries on users stay uncorrelated.
# (Made on first use: an alias configures the mappers, which must all be imported by then.)
@cache
def _actor():
    return aliased(User, name="actor")


def _actor_name():
    return case(
        (AuditEvent.actor_id.is_(None), literal(bundle.SYSTEM_ACTOR)), else_=_actor().full_name
    )


def _with_actor(stmt):
    return stmt.outerjoin(_actor(), _actor().id == AuditEvent.actor_id)


# Rows, as Python values in the column order of commons.audit.bundle.


def event_rows(filters: Filters, upto_seq: int | None = None) -> Iterator[tuple]:
    stmt = (
        _with_actor(
            select(
                AuditEvent.seq,
                AuditEvent.occurred_at,
                Proposal.protocol_number,
                AuditEvent.proposal_id,
                AuditEvent.trigger,
                AuditEvent.from_state,
                AuditEvent.to_state,
                AuditEvent.actor_id,
                _actor_name(),
                AuditEvent.actor_role,
                AuditEvent.payload,
                AuditEvent.public,
                AuditEvent.prev_hash,
                AuditEvent.hash,
            ).join(Proposal, Proposal.id == AuditEvent.proposal_id)
        )
        .where(AuditEvent.proposal_id.in_(pact_ids(filters)))
        .order_by(AuditEvent.seq)
    )
    if upto_seq is not None:
        stmt = stmt.where(AuditEvent.seq <= upto_seq)
    for row in _stream(stmt):
        yield tuple(row)


def count_events(filters: Filters) -> int:
    stmt = select(func.count()).where(AuditEvent.proposal_id.in_(pact_ids(filters)))
    return db.session.scalar(stmt) or 0


def pact_rows(filters: Filters) -> Iterator[list]:
    stmt = (
        select(Proposal)
        .where(Proposal.id.in_(pact_ids(filters)))
        .options(selectinload(Proposal.commons), selectinload(Proposal.case_officer))
        .order_by(Proposal.id)
    )
    for p in db.session.scalars(stmt.execution_options(yield_per=BATCH)):
        yield [
            p.id,
            p.protocol_number,
            p.title,
            p.status,
            p.pact_type,
            p.profile,
            p.group_id,
            p.representative_id,
            p.case_officer_id,
            p.case_officer.email if p.case_officer else None,
            "; ".join(c.name for c in p.commons),
            "; ".join(sorted({c.district for c in p.commons if c.district})),
            p.start_date,
            p.end_date,
            p.submitted_at,
            p.decision_number,
            p.decision_date,
            p.deliberation_number,
            p.deliberation_date,
            p.predecessor_id,
            p.created_at,
        ]


def version_rows(filters: Filters) -> Iterator[tuple[list, dict]]:
    """(row without the path, content) of each pact version of the selected pacts."""
    stmt = (
        select(
            PactVersion.proposal_id,
            Proposal.protocol_number,
            PactVersion.number,
            PactVersion.content_hash,
            PactVersion.created_at,
            PactVersion.frozen_at,
            PactVersion.author_id,
            PactVersion.comment,
            PactVersion.content,
        )
        .join(Proposal, Proposal.id == PactVersion.proposal_id)
        .where(PactVersion.proposal_id.in_(pact_ids(filters)))
        .order_by(PactVersion.proposal_id, PactVersion.number)
    )
    for row in _stream(stmt):
        yield list(row[:-1]), row[-1]


def document_rows(filters: Filters) -> Iterator[list]:
    stmt = (
        select(
            Document.proposal_id,
            Proposal.protocol_number,
            PactVersion.number,
            Document.kind,
            Document.sha256,
            Document.size,
            Document.language,
            Document.created_at,
        )
        .join(Proposal, Proposal.id == Document.proposal_id)
        .join(PactVersion, PactVersion.id == Document.version_id)
        .where(Document.proposal_id.in_(pact_ids(filters)))
        .order_by(Document.id)
    )
    for row in _stream(stmt):
        yield list(row)


def _pact_table_rows(filters: Filters, model, *columns) -> Iterator[list]:
    """Rows of a per-pact table (``model`` with ``proposal_id``) for the selected pacts: its
    pact id and protocol number, then ``columns``, in the table's order."""
    stmt = (
        select(model.proposal_id, Proposal.protocol_number, *columns)
        .join(Proposal, Proposal.id == model.proposal_id)
        .where(model.proposal_id.in_(pact_ids(filters)))
        .order_by(model.id)
    )
    for row in _stream(stmt):
        yield list(row)


def signature_rows(filters: Filters) -> Iterator[list]:
    return _pact_table_rows(
        filters,
        Signature,
        Signature.signer_id,
        Signature.signer_role,
        Signature.typed_name,
        Signature.signed_at,
        Signature.document_hash,
    )


def report_rows(filters: Filters) -> Iterator[list]:
    return _pact_table_rows(
        filters,
        MonitoringReport,
        MonitoringReport.author_id,
        MonitoringReport.filed_at,
        MonitoringReport.final,
        MonitoringReport.text,
        MonitoringReport.indicators,
    )


def chain_rows() -> Iterator[tuple[int, str, str]]:
    """(seq, prev_hash, hash) of every event of the whole chain, in order."""
    stmt = select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash).order_by(AuditEvent.seq)
    for row in _stream(stmt):
        yield tuple(row)


def event_object(row: tuple) -> dict:
    """An event row as a JSON object (JSON Lines)."""
    obj = dict(zip(bundle.EVENT_COLUMNS, row, strict=True))
    obj["occurred_at"] = obj["occurred_at"].isoformat(timespec="microseconds")
    return obj


def _tick(progress: Progress | None) -> None:
    if progress is not None:
        progress(1)


# Writers.


class _CsvSink:
    """CSV rows encoded to UTF-8 and handed to ``write`` in chunks: constant memory."""

    def __init__(self, write: Callable[[bytes], None], columns: list[str]):
        self._write = write
        self._buffer = io.StringIO()
        self._writer = bundle.csv_writer(self._buffer)
        self.rows = 0
        self._writer.writerow(columns)

    def row(self, values) -> None:
        self._writer.writerow([bundle.table_cell(v) for v in values])
        self.rows += 1
        if self._buffer.tell() > 1 << 16:
            self.flush()

    def flush(self) -> None:
        self._write(self._buffer.getvalue().encode())
        self._buffer.seek(0)
        self._buffer.truncate()


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
        _with_actor(
            select(
                AuditEvent.seq,
                occurred,
                Proposal.protocol_number,
                AuditEvent.proposal_id,
                AuditEvent.trigger,
                AuditEvent.from_state,
                AuditEvent.to_state,
                AuditEvent.actor_id,
                _actor_name(),
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

    stmt = _with_actor(
        select(
            AuditEvent.seq.label("seq"),
            func.to_char(func.timezone("UTC", AuditEvent.occurred_at), _ISO_UTC).label("ts"),
            Proposal.protocol_number.label("pn"),
            AuditEvent.proposal_id.label("pid"),
            AuditEvent.trigger.label("trig"),
            AuditEvent.from_state.label("src"),
            AuditEvent.to_state.label("dst"),
            AuditEvent.actor_id.label("actor"),
            _actor_name().label("an"),
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


def _xlsx_value(ws, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, datetime):
        # Excel has no time zones: write UTC, naive.
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, dict | list):
        value = canonical_json(value).decode()
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if needs_quote(value):
            # Text, never a formula: a string cell marked with Excel's own "quote prefix" (what
            # typing '=... gives), so it shows and reads back as stored, without the quote.
            text = WriteOnlyCell(ws, value)
            text.data_type = "s"
            text.quotePrefix = True
            return text
    return value


def write_xlsx(path, filters: Filters, *, progress: Progress | None = None) -> int:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheets = [
        ("pacts", bundle.PACT_COLUMNS, pact_rows(filters)),
        ("events", bundle.EVENT_COLUMNS, event_rows(filters)),
        (
            "versions",
            bundle.VERSION_COLUMNS[:-1],
            (row for row, _content in version_rows(filters)),
        ),
        ("signatures", bundle.SIGNATURE_COLUMNS, signature_rows(filters)),
        ("reports", bundle.REPORT_COLUMNS_XLSX, report_rows(filters)),
    ]
    events = 0
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(columns)
        for row in rows:
            ws.append([_xlsx_value(ws, v) for v in row])
            if title == "events":
                events += 1
                _tick(progress)
    wb.save(path)
    return events


class _Entry:
    """One file written into the ZIP as a stream, hashing and counting what it writes."""

    def __init__(self, zf: zipfile.ZipFile, name: str, files: dict):
        self.name = name
        self._files = files
        self._fh = zf.open(name, "w", force_zip64=True)
        self._digest = hashlib.sha256()
        self._size = 0

    def write(self, data: bytes) -> None:
        self._digest.update(data)
        self._size += len(data)
        self._fh.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()
        self._files[self.name] = {"sha256": self._digest.hexdigest(), "size": self._size}


def _copy(src, entry: _Entry) -> None:
    while block := src.read(1 << 20):
        entry.write(block)


def _copy_into(zf: zipfile.ZipFile, name: str, files: dict, spool) -> None:
    spool.seek(0)
    with _Entry(zf, name, files) as entry:
        _copy(spool, entry)


def write_zip(
    zf: zipfile.ZipFile,
    filters: Filters,
    *,
    exported_by: str,
    exported_at: datetime,
    progress: Progress | None = None,
) -> int:
    from commons.audit import checkpoints

    files: dict[str, dict] = {}
    storage_dir = current_app.config["STORAGE_DIR"]

    # The checkpoints made so far, read before the chain: each names an event the chain read
    # next already holds (appends and checkpoints may go on meanwhile).
    made = checkpoints.table_checkpoints()

    # The whole chain first: its last event is the head the rest of the bundle is bound to.
    head_seq, head_hash = 0, GENESIS_HASH
    with _Entry(zf, "chain.csv", files) as entry:
        sink = _CsvSink(entry.write, bundle.CHAIN_COLUMNS)
        for seq, prev_hash, hash_ in chain_rows():
            sink.row((seq, prev_hash, hash_))
            head_seq, head_hash = seq, hash_
        sink.flush()

    # Every export checkpoints the head it holds; the bundle keeps every checkpoint.
    latest = checkpoints.make_checkpoint(head_seq, head_hash).checkpoint
    if latest is not None and all(row.seq != latest.seq for row in made):
        made.append(latest)
    made.sort(key=lambda row: row.seq)
    with _Entry(zf, bundle.CHECKPOINTS, files) as entry:
        entry.write(
            checkpoints.witness.csv_text(
                checkpoints.as_checkpoint(row, "") for row in made
            ).encode()
        )
    with _Entry(zf, bundle.CHECKPOINT_CERTIFICATES, files) as entry:
        entry.write(checkpoints.certificates_pem(made).encode())

    first_seq = last_seq = None
    with _Entry(zf, "events.csv", files) as entry:
        sink = _CsvSink(entry.write, bundle.EVENT_COLUMNS)
        for row in event_rows(filters, upto_seq=head_seq):
            sink.row(row)
            first_seq = row[0] if first_seq is None else first_seq
            last_seq = row[0]
            _tick(progress)
        sink.flush()
        events = sink.rows

    with _Entry(zf, "pacts.csv", files) as entry:
        sink = _CsvSink(entry.write, bundle.PACT_COLUMNS)
        for row in pact_rows(filters):
            sink.row(row)
        sink.flush()
        pacts = sink.rows

    # A ZIP takes one write handle at a time: each index is spooled while its files are written.
    with tempfile.SpooledTemporaryFile(max_size=1 << 22) as spool:
        sink = _CsvSink(spool.write, bundle.VERSION_COLUMNS)
        for row, content in version_rows(filters):
            name = bundle.version_path(row[1], row[0], row[2])
            with _Entry(zf, name, files) as version_entry:
                version_entry.write(canonical_json(content))
            sink.row([*row, name])
        sink.flush()
        _copy_into(zf, "versions.csv", files, spool)

    with tempfile.SpooledTemporaryFile(max_size=1 << 22) as spool:
        sink = _CsvSink(spool.write, bundle.DOCUMENT_COLUMNS)
        for row in document_rows(filters):
            name = bundle.document_path(row[4])
            source = storage.path_for(storage_dir, row[4])
            if not source.is_file():
                raise ExportError(f"document {row[4]} is missing from storage ({source})")
            with _Entry(zf, name, files) as document_entry, open(source, "rb") as src:
                _copy(src, document_entry)
            sink.row([*row, name])
        sink.flush()
        _copy_into(zf, "documents.csv", files, spool)

    with _Entry(zf, "signatures.csv", files) as entry:
        sink = _CsvSink(entry.write, bundle.SIGNATURE_COLUMNS)
        for row in signature_rows(filters):
            sink.row(row)
        sink.flush()

    with _Entry(zf, "datapackage.json", files) as entry:
        descriptor = bundle.datapackage("commons-audit-export")
        entry.write(json.dumps(descriptor, indent=2, ensure_ascii=False).encode() + b"\n")
    with _Entry(zf, "README.txt", files) as entry:
        entry.write(bundle.README.encode())

    manifest = {
        "format": "commons-audit-bundle",
        "format_version": bundle.FORMAT_VERSION,
        "exported_at": exported_at.isoformat(timespec="seconds"),
        "exported_by": exported_by,
        "filters": filters.as_dict(),
        "chain": {"count": head_seq, "head_hash": head_hash},
        "checkpoints": {"count": len(made)},
        "events": {"count": events, "first_seq": first_seq, "last_seq": last_seq},
        "pacts": pacts,
        "files": files,
    }
    zf.writestr(bundle.MANIFEST, bundle.manifest_bytes(manifest))
    return events


class _HashingWriter:
    """A file's ``write`` that also feeds the SHA-256 of everything written."""

    def __init__(self, fh):
        self._fh = fh
        self._digest = hashlib.sha256()

    def write(self, data) -> int:
        self._digest.update(data)
        return self._fh.write(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


@dataclass
class ExportResult:
    path: Path
    format: str
    rows: int
    sha256: str
    event_seq: int


def run_export(
    fmt: str,
    output,
    filters: Filters,
    *,
    by: User | None = None,
    bom: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the export to ``output`` (atomically), then record it as an audit event.

    Only flushes: the entry point (``commons audit export``, the export job) commits the event,
    or rolls it back with the rest when anything fails.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}")
    output = Path(output)
    if fmt != "zip":  # a bundle checkpoints the head it holds (write_zip)
        from commons.audit.checkpoints import make_checkpoint

        make_checkpoint()
    fd, tmp = tempfile.mkstemp(dir=output.parent or ".", prefix=".export-")
    hashed = None
    try:
        with os.fdopen(fd, "wb") as fh:
            if fmt == "csv":
                hashed = _HashingWriter(fh)
                rows = write_csv(hashed, filters, bom=bom, progress=progress)
            elif fmt == "jsonl":
                hashed = _HashingWriter(fh)
                rows = write_jsonl(hashed, filters, progress=progress)
            elif fmt == "zip":
                with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                    rows = write_zip(
                        zf,
                        filters,
                        exported_by=by.email if by else "cli",
                        exported_at=utcnow(),
                        progress=progress,
                    )
        if fmt == "xlsx":
            rows = write_xlsx(tmp, filters, progress=progress)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # CSV and JSON Lines are written in one pass, front to back: hashed as written, not read
    # back (ZIP writers seek back to fill in headers, openpyxl writes the file itself).
    sha256 = hashed.hexdigest() if hashed is not None else storage.sha256_of_file(output)
    event = append_event(
        "exported",
        actor=by,
        actor_role=Role.AUDITOR.value if by is not None and by.has_role(Role.AUDITOR) else None,
        payload={
            "format": fmt,
            "filters": filters.as_dict(),
            "rows": rows,
            "sha256": sha256,
            "by": by.email if by else "cli",
        },
        public=False,
    )
    return ExportResult(output, fmt, rows, sha256, event.seq)
