"""Exports of the audit history of selected pacts: CSV, JSON Lines, XLSX and evidence bundles.

Filters select pacts; the events exported are those of the selected pacts. Every query streams
(``yield_per``) and every file is written as rows arrive, so memory stays constant. Each export
is recorded as an ``exported`` audit event once the file is written (see :func:`run_export`).
What is read is in :mod:`commons.audit.queries`, the events' CSV and JSON Lines writers in
:mod:`commons.audit.event_lines`; the bundle's format and its offline verification live in
:mod:`commons.audit.bundle`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from commons.audit import bundle, bundle_readme, personal
from commons.audit.chain import GENESIS_HASH, canonical_json
from commons.audit.event_lines import Progress, write_csv, write_jsonl
from commons.audit.operations import append_event
from commons.audit.queries import (
    Filters,
    call_score_rows,
    chain_rows,
    document_rows,
    event_rows,
    pact_rows,
    report_rows,
    signature_rows,
    version_rows,
)
from commons.auth.models import Role, User
from commons.db import utcnow
from commons.documents import storage
from commons.tables import needs_quote

FORMATS = ("csv", "jsonl", "xlsx", "zip")


class ExportError(Exception):
    """The export cannot be made (e.g. a document is missing from storage)."""


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
    refs: set[str] = set()
    with _Entry(zf, "events.csv", files) as entry:
        sink = _CsvSink(entry.write, bundle.EVENT_COLUMNS)
        for row in event_rows(filters, upto_seq=head_seq):
            sink.row(row)
            refs |= personal.refs_in([row[10]])
            first_seq = row[0] if first_seq is None else first_seq
            last_seq = row[0]
            _tick(progress)
        sink.flush()
        events = sink.rows

    with _Entry(zf, bundle.PERSONAL, files) as entry:
        sink = _CsvSink(entry.write, bundle.PERSONAL_COLUMNS)
        for row in personal.value_rows(refs):
            sink.row(row)
        sink.flush()

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
            source = storage.path_for(storage_dir, row[4])
            if not source.is_file() and row[3] == "signed_upload":  # a party's .p7m
                source = storage.path_for(storage_dir, row[4], ".p7m")
            name = bundle.document_path(row[4], source.suffix)
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

    with _Entry(zf, bundle.CALL_SCORES, files) as entry:
        sink = _CsvSink(entry.write, bundle.CALL_SCORE_COLUMNS)
        for row in call_score_rows(filters):
            sink.row(row)
        sink.flush()

    with _Entry(zf, "datapackage.json", files) as entry:
        descriptor = bundle_readme.datapackage("commons-audit-export")
        entry.write(json.dumps(descriptor, indent=2, ensure_ascii=False).encode() + b"\n")
    with _Entry(zf, "README.txt", files) as entry:
        entry.write(bundle_readme.README.encode())

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
