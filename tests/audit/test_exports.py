"""Audit exports (CSV, JSON Lines, XLSX, evidence bundle) and offline bundle verification."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from commons.audit import bundle
from commons.audit.models import AuditEvent
from commons.audit.operations import verify_chain
from commons.documents.models import Document, PactVersion, Signature
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import Proposal
from tests.conftest import app_on_copy, snapshot
from tests.factories import PASSWORD
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire


def _build_pacts(app) -> dict:
    """A signed (active) pact with documents and a report, one in co-design, one draft."""
    cast = Cast()
    signed = proposal_in("legal_review", cast)
    fire(signed, "approve", cast.legal, now=NOW, act_number="DD 5/2026", act_date="2026-05-30")
    db.session.commit()
    for who, at in ((cast.representative, 1), (cast.legal, 2)):
        fire(
            signed,
            "sign",
            who,
            now=NOW + timedelta(days=at),
            full_name=who.full_name,
            consent="y",
            password=PASSWORD,
        )
        db.session.commit()
    db.session.add(
        MonitoringReport(
            proposal_id=signed.id,
            author_id=cast.representative.id,
            text="=SUM(A1) six clean-ups",
            indicators={"volunteers": 20},
        )
    )
    db.session.commit()
    co_design = proposal_in("co_design", cast)
    draft = proposal_in("draft", cast)
    assert signed.status == "active"
    return {"cast": cast.ids(), "proposals": [signed.id, co_design.id, draft.id]}


@pytest.fixture(scope="module")
def pacts_snapshot(database_url):
    """The pacts, made once per module and worker (their PDFs take a second to print)."""
    with snapshot("audit_pacts", _build_pacts) as made:
        yield made


@pytest.fixture
def app(pacts_snapshot):
    """The app on a fresh copy of the pacts' database."""
    with app_on_copy(pacts_snapshot) as app:
        yield app


@pytest.fixture
def pacts(app, pacts_snapshot):
    """(cast, signed, co_design, draft), read from the copy."""
    return pacts_from(pacts_snapshot["result"])


def pacts_from(ids: dict) -> tuple:
    """(cast, signed, co_design, draft) read from the database by the ids ``_build_pacts`` gave."""
    cast = Cast.read(ids["cast"])  # the people already exist: read them, do not make them again
    return (cast, *(db.session.get(Proposal, pid) for pid in ids["proposals"]))


def _export(runner, tmp_path, fmt, *args, name=None):
    out = tmp_path / (name or f"export.{fmt}")
    result = runner.invoke(args=["audit", "export", "--format", fmt, *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _events(proposal_ids=None):
    stmt = select(AuditEvent).where(AuditEvent.proposal_id.is_not(None)).order_by(AuditEvent.seq)
    if proposal_ids is not None:
        stmt = stmt.where(AuditEvent.proposal_id.in_(proposal_ids))
    return db.session.scalars(stmt).all()


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy a ZIP, passing each entry's bytes through ``change(name, data)``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change(info.filename, zin.read(info.filename)))


def _flip(data: bytes, at: int | None = None) -> bytes:
    changed = bytearray(data)
    at = len(changed) // 2 if at is None else at
    changed[at] ^= 0x01
    return bytes(changed)


def _resign(manifest_raw: bytes, entries: dict[str, bytes]) -> bytes:
    """A manifest rewritten to match altered files: what a careful forger would do."""
    manifest = json.loads(manifest_raw)
    for name, data in entries.items():
        manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return bundle.manifest_bytes(manifest)


# The evidence bundle.


def test_zip_bundle_exports_and_verifies(app, runner, pacts, tmp_path):
    cast, signed, co_design, draft = pacts
    head = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    out = _export(runner, tmp_path, "zip", "--by", cast.auditor.email)

    result = runner.invoke(args=["audit", "verify-bundle", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
    report = bundle.verify(out)
    assert report.ok, report.message
    assert report.counts["events"] == len(_events()) and report.counts["documents"] == 2

    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        pact_rows = list(csv.DictReader(io.StringIO(zf.read("pacts.csv").decode())))
    documents = db.session.scalars(select(Document)).all()
    assert {f"documents/{d.sha256}.pdf" for d in documents} <= names
    protocol = signed.protocol_number.replace("/", "-")
    assert f"versions/{protocol}-v1.json" in names
    assert {"pacts.csv", "events.csv", "chain.csv", "datapackage.json", "README.txt"} <= names
    assert set(manifest["files"]) == names - {"manifest.json"}
    # The manifest records the chain as it was before the export's own event.
    assert manifest["chain"] == {"count": head.seq, "head_hash": head.hash}
    assert manifest["exported_by"] == cast.auditor.email
    assert manifest["events"]["last_seq"] == _events()[-1].seq
    assert {int(r["id"]) for r in pact_rows} == {signed.id, co_design.id, draft.id}

    exported = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert exported.trigger == "exported" and exported.seq == head.seq + 1
    assert exported.public is False and exported.actor_id == cast.auditor.id
    assert exported.actor_role == "auditor"
    assert exported.payload["format"] == "zip"
    assert exported.payload["rows"] == len(_events())
    assert exported.payload["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert verify_chain().ok


def test_datapackage_describes_pacts_events_checkpoints_and_call_scores(
    app, runner, pacts, tmp_path
):
    out = _export(runner, tmp_path, "zip")
    with zipfile.ZipFile(out) as zf:
        descriptor = json.loads(zf.read("datapackage.json"))
        manifest = json.loads(zf.read("manifest.json"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert {r["path"] for r in resources.values()} == {
        "pacts.csv",
        "events.csv",
        "checkpoints.csv",
        "call_scores.csv",
    }
    assert [f["name"] for f in resources["checkpoints"]["schema"]["fields"]] == (
        bundle.CHECKPOINT_COLUMNS
    )
    assert [f["name"] for f in resources["call_scores"]["schema"]["fields"]] == (
        bundle.CALL_SCORE_COLUMNS
    )
    fields = {f["name"]: f["type"] for f in resources["events"]["schema"]["fields"]}
    assert list(fields) == bundle.EVENT_COLUMNS and fields["seq"] == "integer"
    assert manifest["exported_by"] == "cli"


def test_bundle_verifies_without_flask(app, runner, pacts, tmp_path):
    out = _export(runner, tmp_path, "zip")
    audit_dir = Path(bundle.__file__).parent
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import bundle; "
        "r = bundle.verify(sys.argv[2]); print(r.ok, 'flask' in sys.modules, "
        "'sqlalchemy' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", code, str(audit_dir), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["True", "False", "False"]
    script = subprocess.run(
        [sys.executable, "-I", str(audit_dir / "bundle.py"), str(out)],
        capture_output=True,
        text=True,
    )
    assert script.returncode == 0 and script.stdout.startswith("OK: ")


def _pick(names, kind):
    return {
        "events": "events.csv",
        "pacts": "pacts.csv",
        "chain": "chain.csv",
        "version": next(n for n in names if n.startswith("versions/")),
        "pdf": next(n for n in names if n.startswith("documents/")),
        "manifest": "manifest.json",
        "readme": "README.txt",
    }[kind]


@pytest.mark.parametrize(
    "kind", ["events", "pacts", "chain", "version", "pdf", "manifest", "readme"]
)
def test_one_changed_byte_in_any_file_fails_naming_it(app, runner, pacts, tmp_path, kind):
    out = _export(runner, tmp_path, "zip")
    with zipfile.ZipFile(out) as zf:
        target = _pick(zf.namelist(), kind)
    tampered = tmp_path / "tampered.zip"
    _rewrite(out, tampered, lambda name, data: _flip(data) if name == target else data)
    report = bundle.verify(tampered)
    assert not report.ok
    assert target in report.message
    result = runner.invoke(args=["audit", "verify-bundle", str(tampered)])
    assert result.exit_code == 1 and target in result.output


def _event_lines(data: bytes) -> list[bytes]:
    return data.split(b"\r\n")


def test_deleting_an_event_row_fails(app, runner, pacts, tmp_path):
    out = _export(runner, tmp_path, "zip")

    def drop(name, data):
        if name != "events.csv":
            return data
        lines = _event_lines(data)
        del lines[3]
        return b"\r\n".join(lines)

    tampered = tmp_path / "tampered.zip"
    _rewrite(out, tampered, drop)
    report = bundle.verify(tampered)
    assert not report.ok and "events.csv" in report.message


def test_swapping_two_event_rows_fails(app, runner, pacts, tmp_path):
    out = _export(runner, tmp_path, "zip")

    def swap(name, data):
        if name != "events.csv":
            return data
        lines = _event_lines(data)
        lines[2], lines[3] = lines[3], lines[2]
        return b"\r\n".join(lines)

    tampered = tmp_path / "tampered.zip"
    _rewrite(out, tampered, swap)
    report = bundle.verify(tampered)
    assert not report.ok and "events.csv" in report.message and "out of order" in report.message


def _forge(out: Path, tampered: Path, target: str, change) -> None:
    """Alter one file and rewrite the manifest to match it, so only the deeper checks remain."""
    with zipfile.ZipFile(out) as zf:
        new = change(zf.read(target))
    _rewrite(
        out,
        tampered,
        lambda name, data: (
            new
            if name == target
            else _resign(data, {target: new})
            if name == "manifest.json"
            else data
        ),
    )


def test_forged_manifest_still_fails_on_the_content(app, runner, pacts, tmp_path):
    out = _export(runner, tmp_path, "zip")
    tampered = tmp_path / "tampered.zip"

    # An event's payload changed: its hash no longer recomputes.
    def alter_payload(data):
        rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
        rows[2][bundle.EVENT_COLUMNS.index("trigger")] = "forged"
        buf = io.StringIO()
        bundle.csv_writer(buf).writerows(rows)
        return buf.getvalue().encode()

    _forge(out, tampered, "events.csv", alter_payload)
    report = bundle.verify(tampered)
    assert not report.ok and "events.csv line 3" in report.message
    assert "does not match its hash" in report.message

    # A row deleted: the counts no longer match the manifest's.
    def drop(data):
        lines = _event_lines(data)
        del lines[1]
        return b"\r\n".join(lines)

    _forge(out, tampered, "events.csv", drop)
    report = bundle.verify(tampered)
    assert not report.ok and "rows removed or added" in report.message

    # A link of the whole chain broken.
    def relink(data):
        lines = _event_lines(data)
        seq, prev, hash_ = lines[2].split(b",")
        lines[2] = b",".join([seq, b"f" * 64, hash_])
        return b"\r\n".join(lines)

    _forge(out, tampered, "chain.csv", relink)
    report = bundle.verify(tampered)
    assert not report.ok and "chain.csv line 3 (seq 2)" in report.message


def test_unlisted_extra_file_fails(app, runner, pacts, tmp_path):
    out = _export(runner, tmp_path, "zip")
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr("extra.txt", b"hello")
    report = bundle.verify(out)
    assert not report.ok and "extra.txt" in report.message


# Flat exports.


def test_csv_round_trips_the_events(app, runner, pacts, tmp_path):
    out = _export(runner, tmp_path, "csv")
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
    events = _events()
    assert [int(r["seq"]) for r in rows] == [e.seq for e in events]
    protocols = {p.id: p.protocol_number for p in db.session.scalars(select(Proposal))}
    for row, event in zip(rows, events, strict=True):
        assert row["occurred_at"] == event.occurred_at.isoformat(timespec="microseconds")
        assert row["proposal_id"] == str(event.proposal_id)
        assert row["protocol_number"] == (protocols[event.proposal_id] or "")
        assert row["trigger"] == event.trigger
        assert row["from_state"] == (event.from_state or "")
        assert row["to_state"] == (event.to_state or "")
        assert row["actor_id"] == ("" if event.actor_id is None else str(event.actor_id))
        assert row["actor_role"] == (event.actor_role or "")
        assert json.loads(row["payload"]) == event.payload
        assert row["public"] == ("true" if event.public else "false")
        assert (row["prev_hash"], row["hash"]) == (event.prev_hash, event.hash)


def _recorded_sha256() -> str:
    exported = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert exported.trigger == "exported"
    return exported.payload["sha256"]


def test_csv_bom(app, runner, pacts, tmp_path):
    out = _export(runner, tmp_path, "csv", "--bom")
    assert out.read_bytes().startswith(b"\xef\xbb\xbfseq,occurred_at,")
    assert _recorded_sha256() == hashlib.sha256(out.read_bytes()).hexdigest()
    result = runner.invoke(
        args=["audit", "export", "--format", "zip", "--bom", "-o", str(tmp_path / "x.zip")]
    )
    assert result.exit_code == 2


def test_jsonl_lines_parse(app, runner, pacts, tmp_path):
    out = _export(runner, tmp_path, "jsonl")
    assert _recorded_sha256() == hashlib.sha256(out.read_bytes()).hexdigest()
    lines = out.read_bytes().splitlines()
    events = _events()
    assert len(lines) == len(events)
    for line, event in zip(lines, events, strict=True):
        obj = json.loads(line)
        assert list(obj) == sorted(bundle.EVENT_COLUMNS)
        assert obj["seq"] == event.seq and obj["hash"] == event.hash
        assert obj["payload"] == event.payload and obj["public"] is event.public


def test_xlsx_sheets_and_row_counts(app, runner, pacts, tmp_path):
    from openpyxl import load_workbook

    out = _export(runner, tmp_path, "xlsx")
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["pacts", "events", "versions", "signatures", "reports"]
    counts = {ws.title: sum(1 for _ in ws.iter_rows()) - 1 for ws in wb.worksheets}
    assert counts == {
        "pacts": 3,
        "events": len(_events()),
        "versions": db.session.query(PactVersion).count(),
        "signatures": db.session.query(Signature).count(),
        "reports": 1,
    }
    header = [c.value for c in next(wb["reports"].iter_rows(max_row=1))]
    row = [c.value for c in next(wb["reports"].iter_rows(min_row=2, max_row=2))]
    text = dict(zip(header, row, strict=True))["text"]
    assert text == "=SUM(A1) six clean-ups"  # kept as text, not a formula
    wb.close()


def test_state_filter_selects_only_active_pacts(app, runner, pacts, tmp_path):
    cast, signed, co_design, draft = pacts
    out = _export(runner, tmp_path, "csv", "--state", "active")
    rows = list(csv.DictReader(io.StringIO(out.read_text(), newline="")))
    assert rows and {int(r["proposal_id"]) for r in rows} == {signed.id}
    assert len(rows) == len(_events([signed.id]))

    out = _export(runner, tmp_path, "zip", "--protocol", co_design.protocol_number)
    assert bundle.verify(out).ok
    with zipfile.ZipFile(out) as zf:
        events = list(csv.DictReader(io.StringIO(zf.read("events.csv").decode(), newline="")))
        manifest = json.loads(zf.read("manifest.json"))
    assert {int(r["proposal_id"]) for r in events} == {co_design.id}
    assert manifest["filters"]["protocols"] == [co_design.protocol_number]

    out = _export(runner, tmp_path, "jsonl", "--officer", cast.officer.email.upper())
    ids = {json.loads(line)["proposal_id"] for line in out.read_bytes().splitlines()}
    assert ids == {signed.id, co_design.id}
    out = _export(runner, tmp_path, "jsonl", "--district", "Nowhere")
    assert out.read_bytes() == b""
    out = _export(runner, tmp_path, "jsonl", "--from", "2999-01-01")
    assert out.read_bytes() == b""


def test_every_export_is_recorded_and_the_chain_verifies(app, runner, pacts, tmp_path):
    for fmt in ("csv", "jsonl", "xlsx", "zip"):
        _export(runner, tmp_path, fmt)
    exported = db.session.scalars(
        select(AuditEvent).where(AuditEvent.trigger == "exported").order_by(AuditEvent.seq)
    ).all()
    assert [e.payload["format"] for e in exported] == ["csv", "jsonl", "xlsx", "zip"]
    assert all(e.actor_id is None and e.payload["by"] == "cli" for e in exported)
    assert verify_chain().ok
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0


# Bundles as people handle them.


def _rezip_like_a_desktop_tool(source: Path, target: Path, *, top: str) -> None:
    """Unzip into a folder and zip the folder: folder entries, everything under ``top/``."""
    with zipfile.ZipFile(source) as zf:
        members = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
    folders = sorted({name.rsplit("/", 1)[0] for name, _ in members if "/" in name})
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        prefix = f"{top}/" if top else ""
        if top:
            zf.writestr(zipfile.ZipInfo(prefix), b"")
        for folder in folders:
            zf.writestr(zipfile.ZipInfo(f"{prefix}{folder}/"), b"")
        for name, data in members:
            zf.writestr(prefix + name, data)


@pytest.mark.parametrize("top", ["", "evidence-bundle"])
def test_a_bundle_zipped_again_by_a_desktop_tool_still_verifies(app, runner, pacts, tmp_path, top):
    out = _export(runner, tmp_path, "zip")
    rezipped = tmp_path / "rezipped.zip"
    _rezip_like_a_desktop_tool(out, rezipped, top=top)
    report = bundle.verify(rezipped)
    assert report.ok, report.message
    # Looking through folders does not let an extra file in.
    with zipfile.ZipFile(rezipped, "a") as zf:
        zf.writestr(f"{top}/notes.txt" if top else "notes.txt", b"added later")
    report = bundle.verify(rezipped)
    assert not report.ok and "notes.txt" in report.message


def test_a_damaged_bundle_is_reported_in_one_sentence(app, runner, pacts, tmp_path):
    out = _export(runner, tmp_path, "zip")
    data = bytearray(out.read_bytes())
    with zipfile.ZipFile(out) as zf:
        info = zf.getinfo("events.csv")
    # Damage the stored bytes of one member (not its header): the archive opens, the member
    # cannot be read back (bad CRC or broken deflate stream).
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 5
    for i in range(start, start + 16):
        data[i] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    result = runner.invoke(args=["audit", "verify-bundle", str(damaged)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "damaged" in result.output
    assert len(result.output.strip().splitlines()) == 1
