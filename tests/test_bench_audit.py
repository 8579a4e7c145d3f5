"""The audit benchmark runs end to end, and the fast paths of the audit code (the canonical
JSON written directly, the CSV and JSON Lines writers) give exactly what the reference rules
give. No timing is checked here: timing belongs in bench/."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bench.common import DEFAULT_POSTGRESQL_URL, postgresql_reachable
from commons.audit import bundle
from commons.audit.chain import (
    GENESIS_HASH,
    canonical_json,
    event_fields,
    event_hash,
    event_hash_of,
    payload_json,
)
from commons.audit.event_lines import write_csv, write_jsonl
from commons.audit.operations import append_event, verify_chain
from commons.audit.queries import Filters, event_object, event_rows
from commons.extensions import db
from tests.workflows.scenario import Cast, proposal_in

PAYLOADS = [
    {},
    {"version": 1},
    {"reasons": 'Says "no", then, yes\r\nnew line; àè 漢字 \\ \t', "b": [1, 2.5, None, True]},
    {"z": {"y": {"x": [{"b": 1, "a": 2}]}}, "a": -0.0, "n": 10**20, "f": 1e-7},
    ["a", "list", {"k": "v"}],
    "just a string, with a comma",
    42,
    3.25,
    True,
    None,
]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize(
    ("actor_id", "actor_role", "proposal_id", "from_state", "to_state", "public"),
    [
        (None, None, None, None, None, False),
        (7, "officer", 12, "submitted", 'under "review"', True),
        (2**40, "ruolo è", 3, "a,b", "c\nd", True),
    ],
)
def test_event_hash_of_equals_the_reference_hash(
    payload, actor_id, actor_role, proposal_id, from_state, to_state, public
):
    at = datetime(2026, 3, 4, 5, 6, 7, 0, tzinfo=UTC) + timedelta(microseconds=123)
    fields = event_fields(
        42, at, actor_id, actor_role, proposal_id, "trig\u2028", from_state, to_state,
        payload, public, GENESIS_HASH,
    )  # fmt: skip
    stored = canonical_json(payload).decode() if payload is not None else "null"

    fast = event_hash_of(
        42,
        at.isoformat(timespec="microseconds"),
        actor_id,
        actor_role,
        proposal_id,
        "trig\u2028",
        from_state,
        to_state,
        payload_json(stored),
        public,
        GENESIS_HASH,
    )

    assert fast == event_hash(fields)


def _reference_csv(filters: Filters) -> bytes:
    """The CSV as the writer made it before it was optimised: csv.writer over bundle.table_cell."""
    buffer = io.StringIO()
    writer = bundle.csv_writer(buffer)
    writer.writerow(bundle.EVENT_COLUMNS)
    for row in event_rows(filters):
        writer.writerow([bundle.table_cell(v) for v in row])
    return buffer.getvalue().encode()


def _reference_jsonl(filters: Filters) -> bytes:
    return b"".join(canonical_json(event_object(row)) + b"\n" for row in event_rows(filters))


INSERT_LEGACY = (
    "INSERT INTO audit_events (seq, occurred_at, proposal_id, trigger, payload, public, "
    "prev_hash, hash) VALUES (:seq, :at, :pid, 'legacy', :payload, :public, :prev, :hash)"
)


def _append_legacy_events(pact, start) -> None:
    """Events whose payload is stored as json.dumps wrote it before payloads were stored
    canonically (spaces, ASCII escapes, keys unsorted): the fast paths must notice and
    re-serialise them."""
    import json

    from sqlalchemy import select, text

    from commons.audit.models import AuditEvent

    head = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).one()
    seq, prev = head
    postgresql = db.engine.dialect.name == "postgresql"
    for i, payload in enumerate([{"z": 1, "a": 'è, "x"'}, {"b": [1, {"d": 2, "c": None}]}]):
        seq += 1
        at = start + timedelta(days=1, seconds=i)
        digest = event_hash(
            event_fields(seq, at, None, None, pact.id, "legacy", None, None, payload, True, prev)
        )
        stored = json.dumps(payload)  # not canonical
        assert stored != canonical_json(payload).decode()
        sql = INSERT_LEGACY.replace(
            ":payload", "CAST(:payload AS JSON)" if postgresql else ":payload"
        )
        db.session.execute(
            text(sql),
            {
                "seq": seq,
                "at": at if postgresql else at.strftime("%Y-%m-%d %H:%M:%S.%f"),
                "pid": pact.id,
                "payload": stored,
                "public": True,
                "prev": prev,
                "hash": digest,
            },
        )
        prev = digest
    # Written behind append_event's back, as an older release did: move the chain head too.
    db.session.execute(
        text("UPDATE audit_chain_head SET seq = :seq, hash = :hash WHERE id = 1"),
        {"seq": seq, "hash": prev},
    )
    db.session.commit()


def test_csv_and_jsonl_writers_give_the_reference_bytes(app):
    cast = Cast()
    pact = proposal_in("draft", cast)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    # Awkward text everywhere the server formats it on PostgreSQL (commons.audit.pgfast).
    pact.protocol_number = 'P,"1"\\\x01è\u2028'
    odd = '\b\f\t\x01\x1f\x7fé漢\u2028\\"'  # fits actor_role's 16 characters
    # Text a spreadsheet would take for a formula, neutralised the same way on both paths.
    cast.representative.full_name = '=HYPERLINK("x",1), "y"'
    formulas = ["=1+1", "+1", "-x", "@A1", "\tx", "'=q", "''-q", "'plain"]
    for i, payload in enumerate(PAYLOADS * 3):
        append_event(
            formulas[i % 8]
            if i % 3 == 2
            else (f"note,{i}" if i % 4 == 0 else ("note" if i % 7 else odd)),
            actor=cast.representative if i % 2 else None,
            actor_role='role "x"' if i % 3 == 0 else (odd if i % 7 == 1 else None),
            proposal=pact,
            from_state="a\r\nb" if i % 5 == 0 else None,
            to_state=odd if i % 6 == 1 else ("=z" if i % 6 == 3 else None),
            payload=payload if isinstance(payload, dict) else {"value": payload},
            public=bool(i % 2),
            occurred_at=start + timedelta(seconds=i, microseconds=i * 7 % 3),
        )
    db.session.commit()
    _append_legacy_events(pact, start)
    filters = Filters()

    for bom in (False, True):
        out = io.BytesIO()
        rows = write_csv(out, filters, bom=bom)
        assert out.getvalue() == ("\ufeff".encode() if bom else b"") + _reference_csv(filters)
    jsonl = io.BytesIO()
    assert write_jsonl(jsonl, filters) == rows
    assert jsonl.getvalue() == _reference_jsonl(filters)
    assert rows == len(list(csv.reader(io.StringIO(_reference_csv(filters).decode())))) - 1
    assert verify_chain().ok


def test_benchmark_runs_on_postgresql(tmp_path):
    reason = postgresql_reachable(DEFAULT_POSTGRESQL_URL)
    if reason:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 unreachable: {reason}")
    from bench.audit import markdown_report, run
    from bench.common import machine

    result = run(DEFAULT_POSTGRESQL_URL, 2000, proposals=200, commons=50, out=io.StringIO())

    assert result["csv"]["rows"] == result["jsonl"]["rows"] == result["copy"]["rows"] > 0
    assert result["csv"]["lines"] == result["csv"]["rows"] + 1
    assert result["jsonl"]["lines"] == result["jsonl"]["rows"]
    assert result["verify"]["ok"] is True
    # The chain holds the generated events and the two exports' own events.
    assert result["verify"]["events"] == result["verify_cli"]["events"] == 2002
    assert result["csv"]["peak_mb"] > 0 and result["csv"]["vs_copy"] > 0
    assert "<!--" not in markdown_report(result, machine(), [])


def _alter_event(seq: int, **values) -> None:
    """Change a stored event behind the chain's back, as someone with database access could
    (on PostgreSQL past the append-only trigger)."""
    from sqlalchemy import text

    postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        db.session.execute(
            text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        )
    sets = ", ".join(
        f"{k} = CAST(:{k} AS JSON)" if k == "payload" and postgresql else f"{k} = :{k}"
        for k in values
    )
    update = f"UPDATE audit_events SET {sets} WHERE seq = :seq"  # noqa: S608 - column names
    db.session.execute(text(update), {**values, "seq": seq})
    if postgresql:
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))
    db.session.commit()


@pytest.mark.parametrize("block_rows", [2000, 3])
def test_writers_export_altered_and_odd_events_as_stored(app, monkeypatch, block_rows):
    """On PostgreSQL the server writes the lines and leaves to Python the events whose stored
    payload it cannot prove canonical, a CSV payload that is not an object or a list and a CSV
    cell holding a line end; an altered event is exported as it is stored, not repaired. Small
    blocks put such events at the edges of the blocks Python reads."""
    from commons.audit import pgfast

    monkeypatch.setattr(pgfast, "BLOCK_ROWS", block_rows)
    copies = []
    copy_blocks = pgfast.copy_blocks
    monkeypatch.setattr(
        pgfast, "copy_blocks", lambda *a, **kw: copies.append(a[0]) or copy_blocks(*a, **kw)
    )
    cast = Cast()
    pact, other = proposal_in("draft", cast), proposal_in("draft", cast)
    pact.protocol_number, other.protocol_number = "2026/T1", "2026/T2"
    start = datetime(2026, 2, 1, tzinfo=UTC)
    payloads = [{"a": 1}, ["x", 2], "plain text", 7, {"t": "line\nend"}, {}, {"b": 'q"'}]
    for i, payload in enumerate(payloads * 2):
        append_event(
            "note",
            proposal=pact if i % 3 else other,
            from_state="x\ny" if i == 4 else None,
            payload=payload,
            occurred_at=start + timedelta(seconds=i),
        )
    db.session.commit()
    _append_legacy_events(pact, start)
    altered = db.session.scalar(text_seq_of(pact, 5))
    _alter_event(altered, payload='{"forged": true, "amount": 1000}', to_state='x"y,z')

    for filters in (Filters(), Filters(protocols=(pact.protocol_number,))):
        written: list[int] = []
        out = io.BytesIO()
        rows = write_csv(out, filters, progress=written.append)
        assert out.getvalue() == _reference_csv(filters)
        assert sum(written) == rows == len(list(event_rows(filters)))
        jsonl = io.BytesIO()
        assert write_jsonl(jsonl, filters, progress=written.append) == rows
        assert jsonl.getvalue() == _reference_jsonl(filters)
        assert b'"forged":true' in jsonl.getvalue()  # as stored, made canonical
    assert b"plain text" in out.getvalue() and other.protocol_number.encode() not in out.getvalue()
    report = verify_chain()
    assert not report.ok and report.broken_seq == altered
    # PostgreSQL took the COPY path (4 exports), SQLite its own.
    assert len(copies) == (4 if db.engine.dialect.name == "postgresql" else 0)


def text_seq_of(pact, nth: int):
    """The seq of the pact's ``nth`` event (from 0)."""
    from sqlalchemy import select

    from commons.audit.models import AuditEvent

    return (
        select(AuditEvent.seq)
        .where(AuditEvent.proposal_id == pact.id)
        .order_by(AuditEvent.seq)
        .offset(nth)
        .limit(1)
    )
