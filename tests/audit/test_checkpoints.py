"""Checkpoints of the chain head: a rewrite that recomputes every hash and the head is caught.

The attacker here has the database's superuser: on PostgreSQL the append-only triggers are
disabled (``ALTER TABLE ... DISABLE TRIGGER ALL``) inside the test, as such an attacker would.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from commons.audit import bundle, checkpoints, witness
from commons.audit.chain import GENESIS_HASH, event_fields, event_hash
from commons.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent
from commons.audit.operations import append_event, verify_chain
from commons.documents.seal import create_demo_certificate
from commons.extensions import db
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire

EVENTS = AuditEvent.__table__
HEAD = AuditChainHead.__table__
CHECKPOINTS = AuditCheckpoint.__table__


@pytest.fixture
def sealed(app, tmp_path):
    """The city's seal configured, as the demo makes one."""
    path = create_demo_certificate(tmp_path / "seal.p12", "Testville", password="pw")
    app.config.update(SIGNING_P12=str(path), SIGNING_P12_PASSWORD="pw")
    return path


@pytest.fixture
def history(app):
    """A chain of a dozen events."""
    cast = Cast()
    p = proposal_in("draft", cast)
    fire(p, "submit", cast.representative, now=NOW)
    fire(p, "take_in_charge", cast.officer, now=NOW)
    for n in range(8):
        append_event("commons_created", payload={"name": f"Garden {n}"})
    db.session.commit()
    return cast


def _chain() -> list[dict]:
    return [dict(r._mapping) for r in db.session.execute(select(EVENTS).order_by(EVENTS.c.seq))]


def _tick(runner) -> str:
    result = runner.invoke(args=["tick", "--now", "2026-06-01T10:00:00"])
    assert result.exit_code == 0, result.output
    return result.output


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


class Attacker:
    """Writes to the append-only tables as the database's superuser would."""

    def __enter__(self):
        if db.engine.dialect.name == "postgresql":
            for table in ("audit_events", "audit_checkpoints"):
                db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))
        return self

    def __exit__(self, *exc):
        if db.engine.dialect.name == "postgresql":
            for table in ("audit_events", "audit_checkpoints"):
                db.session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER ALL"))
        db.session.commit()

    def cut_tail(self, n: int) -> None:
        """Delete the last ``n`` events and move the head back to the one before them."""
        events = _chain()
        keep = events[-n - 1]
        db.session.execute(EVENTS.delete().where(EVENTS.c.seq > keep["seq"]))
        db.session.execute(update(HEAD).values(seq=keep["seq"], hash=keep["hash"]))

    def rewrite_from(self, seq: int, payload: dict) -> None:
        """Change event ``seq``'s payload, recompute its hash and every later one (the chain's
        own rules), and move the head to the new last hash."""
        prev = GENESIS_HASH
        for event in _chain():
            if event["seq"] == seq:
                event["payload"] = payload
            if event["seq"] >= seq:
                fields = event_fields(
                    event["seq"],
                    event["occurred_at"],
                    event["actor_id"],
                    event["actor_role"],
                    event["proposal_id"],
                    event["trigger"],
                    event["from_state"],
                    event["to_state"],
                    event["payload"],
                    event["public"],
                    prev,
                )
                digest = event_hash(fields)
                db.session.execute(
                    update(EVENTS)
                    .where(EVENTS.c.seq == event["seq"])
                    .values(payload=event["payload"], prev_hash=prev, hash=digest)
                )
                event["hash"] = digest
            prev = event["hash"]
        db.session.execute(update(HEAD).values(hash=prev))

    def drop_checkpoints(self) -> None:
        db.session.execute(CHECKPOINTS.delete())


def _drop_witness(app) -> None:
    Path(app.config["CHECKPOINT_FILE"]).unlink(missing_ok=True)


# --- making them --------------------------------------------------------------------------


def test_tick_checkpoints_the_head_once_sealed_and_witnessed(app, runner, history, sealed):
    output = _tick(runner)
    head = db.session.execute(select(HEAD.c.seq, HEAD.c.hash)).one()
    assert f"checkpoint made: event {head.seq}, hash {head.hash} (sealed)" in output
    assert "unchanged (the head has not moved)" in _tick(runner)
    rows = checkpoints.table_checkpoints()
    assert [(r.seq, r.hash) for r in rows] == [tuple(head)]
    assert rows[0].algorithm == witness.RSA and rows[0].certificate.startswith("-----BEGIN")
    lines = Path(app.config["CHECKPOINT_FILE"]).read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["signature"] == rows[0].signature
    # The seal verifies; the same signature over another hash does not.
    good = checkpoints.as_checkpoint(rows[0])
    trusted = checkpoints.trusted_certificates()
    assert witness.signature_problem(good, trusted) is None
    forged = witness.Checkpoint(
        good.seq, "f" * 64, good.made_at, good.signature, good.algorithm, good.certificate_sha256
    )
    assert "does not verify" in witness.signature_problem(forged, trusted)


def test_an_unwritable_witness_file_is_said(app, runner, history, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    app.config["CHECKPOINT_FILE"] = str(blocker / "checkpoints.jsonl")
    result = runner.invoke(args=["tick", "--now", "2026-06-01T10:00:00"])
    assert result.exit_code == 0
    assert "checkpoint: not written to the witness file" in result.output
    assert len(checkpoints.table_checkpoints()) == 1


def test_without_a_seal_the_checkpoint_is_unsigned_and_says_so(app, runner, history):
    assert "(unsigned: no seal key (COMMONS_SIGNING_P12))" in _tick(runner)
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "the chain agrees with 1 (1 of them unsigned)" in result.output
    page = app.test_client().get("/open-data/").get_data(as_text=True)
    assert "No seal key is configured: new checkpoints are unsigned." in page


def test_every_export_checkpoints_and_the_bundle_keeps_them(app, runner, history, tmp_path):
    _tick(runner)
    append_event("commons_created", payload={"name": "One more"})
    db.session.commit()
    out = tmp_path / "bundle.zip"
    result = runner.invoke(args=["audit", "export", "--format", "zip", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = checkpoints.table_checkpoints()
    assert len(rows) == 2
    with zipfile.ZipFile(out) as zf:
        listed = witness.parse(zf.read("checkpoints.csv").decode(), "bundle")
        manifest = json.loads(zf.read("manifest.json"))
    assert [(c.seq, c.hash) for c in listed] == [(r.seq, r.hash) for r in rows]
    assert manifest["checkpoints"] == {"count": 2}
    assert listed[-1].seq == manifest["chain"]["count"]
    report = bundle.verify(out)
    assert report.ok and "the chain agrees with 2 checkpoints" in report.message
    # A CSV export checkpoints the head too (the bundle's "exported" event moved it).
    csv_out = tmp_path / "events.csv"
    runner.invoke(args=["audit", "export", "--format", "csv", "-o", str(csv_out)])
    assert len(checkpoints.table_checkpoints()) == 3


def test_the_published_list_is_the_table(app, runner, history, sealed):
    _tick(runner)
    response = app.test_client().get("/open-data/checkpoints.csv")
    assert response.status_code == 200
    listed = witness.parse(response.get_data(as_text=True), "published")
    assert [c.key() for c in listed] == [
        checkpoints.as_checkpoint(r).key() for r in checkpoints.table_checkpoints()
    ]
    pem = app.test_client().get("/open-data/checkpoint-certificates.pem").get_data()
    assert set(witness.load_certificates(pem)) == set(checkpoints.trusted_certificates())


def test_the_checkpoint_table_refuses_changes_on_postgresql(app, runner, history):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    _tick(runner)
    for statement in (
        "UPDATE audit_checkpoints SET hash = 'x'",
        "DELETE FROM audit_checkpoints",
        "TRUNCATE audit_checkpoints",
    ):
        with pytest.raises(Exception, match="append-only"):
            with db.session.begin_nested():
                db.session.execute(text(statement))
    db.session.rollback()


# --- rewrites caught ----------------------------------------------------------------------


def test_an_untampered_chain_agrees_with_every_checkpoint(app, runner, history, sealed):
    _tick(runner)
    append_event("commons_created", payload={"name": "Later"})
    db.session.commit()
    _tick(runner)
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "the chain agrees with 2" in result.output and "unsigned" not in result.output


def test_a_rewritten_tail_is_caught(app, runner, history, sealed, tmp_path):
    _tick(runner)
    count = len(_chain())
    published = tmp_path / "published.csv"
    published.write_bytes(app.test_client().get("/open-data/checkpoints.csv").get_data())
    with Attacker() as attacker:
        attacker.cut_tail(3)
    # The chain itself and its head are consistent again: only a checkpoint can tell.
    assert verify_chain().ok
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"says the chain had {count} events; it now has {count - 3}" in result.output

    # The attacker removes the checkpoints too: the witness file still tells.
    with Attacker() as attacker:
        attacker.drop_checkpoints()
    result = _verify(runner)
    assert result.exit_code == 1 and "the witness file" in result.output
    # And without the witness file, the list published before the rewrite.
    _drop_witness(app)
    assert _verify(runner).exit_code == 0
    result = _verify(runner, "--checkpoints", str(published))
    assert result.exit_code == 1
    assert f"({published}) says the chain had {count} events" in result.output


def test_a_rewritten_middle_is_caught(app, runner, history, sealed):
    _tick(runner)
    events = _chain()
    target = events[len(events) // 2]["seq"]
    last = events[-1]
    with Attacker() as attacker:
        attacker.rewrite_from(target, {"name": "A garden that never was"})
    assert verify_chain().ok
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"REWRITTEN at event {last['seq']}" in result.output
    assert f"says event {last['seq']} has hash {last['hash'][:12]}…" in result.output


def test_a_forged_checkpoint_is_reported(app, runner, history, sealed, tmp_path):
    _tick(runner)
    # Rewrite the middle and "fix" the checkpoint row to match, keeping its signature.
    events = _chain()
    with Attacker() as attacker:
        attacker.rewrite_from(events[3]["seq"], {"name": "Forged"})
        attacker.drop_checkpoints()
    _drop_witness(app)
    new_head = db.session.execute(select(HEAD.c.seq, HEAD.c.hash)).one()
    original = events[-1]
    # A checkpoint whose hash was changed to the rewritten head, with a signature made for
    # other content: the seal does not verify.
    seal = checkpoints.configured_seal()
    made_at = "2026-06-01T10:00:00.000000+00:00"
    honest_signature, algorithm = witness.sign(
        seal.private_key, witness.signed_bytes(original["seq"], original["hash"], made_at)
    )
    forged = witness.Checkpoint(
        new_head.seq, new_head.hash, made_at, honest_signature, algorithm, seal.sha256
    )
    forged_list = tmp_path / "forged.csv"
    forged_list.write_text(witness.csv_text([forged]))
    result = _verify(runner, "--checkpoints", str(forged_list))
    assert result.exit_code == 1
    assert "FORGED checkpoint" in result.output and "does not verify" in result.output

    # One signed with another key than the city's seal.
    other = create_demo_certificate(tmp_path / "other.p12", "Elsewhere")
    app.config.update(SIGNING_P12=str(other), SIGNING_P12_PASSWORD="")
    stranger = checkpoints.configured_seal()
    app.config.update(SIGNING_P12=str(sealed), SIGNING_P12_PASSWORD="pw")
    data = witness.signed_bytes(new_head.seq, new_head.hash, made_at)
    signature, algorithm = witness.sign(stranger.private_key, data)
    foreign = witness.Checkpoint(
        new_head.seq, new_head.hash, made_at, signature, algorithm, stranger.sha256
    )
    forged_list.write_text(witness.csv_text([foreign]))
    result = _verify(runner, "--checkpoints", str(forged_list))
    assert result.exit_code == 1 and "not the city's seal certificate" in result.output


def test_checkpoints_sealed_before_a_key_rotation_stay_the_citys(
    app, runner, history, sealed, tmp_path
):
    _tick(runner)
    old_certificate = tmp_path / "old-seal.pem"
    assert runner.invoke(args=["pacts", "seal-certificate", str(old_certificate)]).exit_code == 0
    new_seal = create_demo_certificate(tmp_path / "new-seal.p12", "Testville")
    app.config.update(SIGNING_P12=str(new_seal), SIGNING_P12_PASSWORD="")
    result = _verify(runner)
    assert result.exit_code == 1 and "not the city's seal certificate" in result.output

    app.config["PREVIOUS_SEALS"] = [str(old_certificate)]
    result = _verify(runner)
    assert result.exit_code == 0, result.output


# --- bundles ------------------------------------------------------------------------------


def _bundle(runner, path: Path) -> Path:
    result = runner.invoke(args=["audit", "export", "--format", "zip", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _verify_bundle(runner, path, *lists):
    args = ["audit", "verify-bundle", str(path)]
    for name in lists:
        args += ["--checkpoints", str(name)]
    return runner.invoke(args=args)


@pytest.mark.parametrize("rewrite", ["tail", "middle"])
def test_a_bundle_of_a_rewritten_chain_contradicts_its_checkpoints(
    app, runner, history, sealed, tmp_path, rewrite
):
    """The chain was rewritten in the database, the checkpoints were not: a bundle exported
    afterwards carries both, and they disagree."""
    _tick(runner)
    with Attacker() as attacker:
        if rewrite == "tail":
            attacker.cut_tail(2)
        else:
            attacker.rewrite_from(_chain()[4]["seq"], {"name": "Rewritten"})
    out = _bundle(runner, tmp_path / "after.zip")
    result = _verify_bundle(runner, out)
    assert result.exit_code == 1
    assert "chain.csv contradicts a checkpoint" in result.output
    expected = "says the chain had" if rewrite == "tail" else "has hash"
    assert expected in result.output


@pytest.mark.parametrize("rewrite", ["tail", "middle"])
def test_bundles_and_published_lists_from_either_side_of_a_rewrite_disagree(
    app, runner, history, sealed, tmp_path, rewrite
):
    _tick(runner)
    before = _bundle(runner, tmp_path / "before.zip")
    published_before = tmp_path / "before.csv"
    published_before.write_bytes(app.test_client().get("/open-data/checkpoints.csv").get_data())
    assert _verify_bundle(runner, before, published_before).exit_code == 0
    # The attacker rewrites the chain and every checkpoint and witness, then checkpoints anew.
    with Attacker() as attacker:
        if rewrite == "tail":
            attacker.cut_tail(4)
        else:
            attacker.rewrite_from(_chain()[2]["seq"], {"name": "Rewritten"})
        attacker.drop_checkpoints()
    _drop_witness(app)
    # ... and writes on: the new events replace the ones cut.
    append_event("commons_created", payload={"name": "Replacement"})
    db.session.commit()
    after = _bundle(runner, tmp_path / "after.zip")
    assert _verify_bundle(runner, after).exit_code == 0  # consistent with itself
    published_after = tmp_path / "after.csv"
    published_after.write_bytes(app.test_client().get("/open-data/checkpoints.csv").get_data())

    # The new bundle against the list published before the rewrite.
    result = _verify_bundle(runner, after, published_before)
    assert result.exit_code == 1 and "contradicts a checkpoint" in result.output
    assert str(published_before) in result.output
    # The bundle exported before against the list published after: the new checkpoints name
    # hashes the honest chain does not have.
    result = _verify_bundle(runner, before, published_after)
    assert result.exit_code == 1 and "contradicts a checkpoint" in result.output
    # And the live registry against the earlier list.
    assert _verify(runner, "--checkpoints", str(published_before)).exit_code == 1


def test_a_forged_checkpoint_in_a_bundle_is_reported(app, runner, history, sealed, tmp_path):
    _tick(runner)
    out = _bundle(runner, tmp_path / "b.zip")
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(out) as zin:
        entries = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    listed = witness.parse(entries["checkpoints.csv"].decode(), "b")
    first = listed[0]
    moved = witness.Checkpoint(
        first.seq,
        first.hash,
        "2020-01-01T00:00:00.000000+00:00",
        first.signature,
        first.algorithm,
        first.certificate_sha256,
    )
    entries["checkpoints.csv"] = witness.csv_text([moved, *listed[1:]]).encode()
    manifest = json.loads(entries.pop("manifest.json"))
    data = entries["checkpoints.csv"]
    manifest["files"]["checkpoints.csv"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    with zipfile.ZipFile(forged, "w") as zout:
        for name, data in entries.items():
            zout.writestr(name, data)
        zout.writestr("manifest.json", bundle.manifest_bytes(manifest))
    result = _verify_bundle(runner, forged)
    assert result.exit_code == 1 and "does not verify" in result.output


def test_bundle_checkpoints_verify_without_flask(app, runner, history, sealed, tmp_path):
    _tick(runner)
    out = _bundle(runner, tmp_path / "b.zip")
    published = tmp_path / "published.csv"
    published.write_bytes(app.test_client().get("/open-data/checkpoints.csv").get_data())
    with Attacker() as attacker:
        attacker.cut_tail(2)
        attacker.drop_checkpoints()
    _drop_witness(app)
    after = _bundle(runner, tmp_path / "after.zip")
    script = Path(bundle.__file__)
    done = subprocess.run(
        [sys.executable, "-I", str(script), str(out), str(published)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "agrees with 1 checkpoint," in done.stdout, done.stderr
    done = subprocess.run(
        [sys.executable, "-I", str(script), str(after), str(published)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "says the chain had" in done.stderr


def test_simultaneous_checkpoints_of_one_head_make_one(app, history, sealed):
    """A tick and exports at once: one checkpoint, one witness line, no error."""
    import threading

    if db.engine.dialect.name != "postgresql":
        pytest.skip("real concurrent connections: runs in the PostgreSQL pass")
    workers = 6
    barrier = threading.Barrier(workers)
    made: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work():
        with app.app_context():
            try:
                barrier.wait()
                fresh = checkpoints.make_checkpoint().made
                db.session.commit()
                with lock:
                    made.append(fresh)
            except BaseException as error:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(made) == [False] * (workers - 1) + [True]
    assert len(checkpoints.table_checkpoints()) == 1
    assert len(Path(app.config["CHECKPOINT_FILE"]).read_text().splitlines()) == 1


def test_a_bundle_made_before_checkpoints_still_verifies(app, runner, history, tmp_path):
    out = _bundle(runner, tmp_path / "b.zip")
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(out) as zin:
        entries = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    manifest = json.loads(entries.pop("manifest.json"))
    for name in (bundle.CHECKPOINTS, bundle.CHECKPOINT_CERTIFICATES):
        del entries[name], manifest["files"][name]
    del manifest["checkpoints"]
    with zipfile.ZipFile(old, "w") as zout:
        for name, data in entries.items():
            zout.writestr(name, data)
        zout.writestr("manifest.json", bundle.manifest_bytes(manifest))
    report = bundle.verify(old)
    assert report.ok, report.message
    assert report.message.endswith("no checkpoints to compare the chain with")
    # A list given still counts.
    published = tmp_path / "published.csv"
    published.write_bytes(app.test_client().get("/open-data/checkpoints.csv").get_data())
    assert (
        "agrees with 1 checkpoint (1 unsigned"
        in bundle.verify(old, witness.read_location(str(published))).message
    )
