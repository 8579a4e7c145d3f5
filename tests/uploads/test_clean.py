"""Abandoned uploads are removed after a grace period; anything something uses stays."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta

from werkzeug.datastructures import FileStorage

from commons.audit.operations import append_event
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.uploads import operations as uploads
from commons.uploads.models import Attachment

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n"


def _stored(owner, purpose, *, proposal=None, linked_id=None, hours_ago=30, body=b""):
    """An upload made ``hours_ago`` hours ago (distinct content, so distinct hashes)."""
    content = (PNG if purpose == "report_photo" else PDF) + body + os.urandom(8)
    attachment = uploads.save_upload(
        FileStorage(io.BytesIO(content), f"{purpose}.bin"),
        owner=owner,
        purpose=purpose,
        proposal=proposal,
        linked_id=linked_id,
    )
    attachment.created_at = datetime.now(UTC) - timedelta(hours=hours_ago)
    return attachment


def _stray(app, name: str, hours_ago: float):
    path = uploads.upload_dir() / name
    path.write_bytes(PDF)
    when = (datetime.now(UTC) - timedelta(hours=hours_ago)).timestamp()
    os.utime(path, (when, when))
    return path


def _setup(app, make):
    p = make.proposal()
    owner = p.representative
    report = MonitoringReport(proposal_id=p.id, author_id=owner.id, text="Done.")
    db.session.add(report)
    db.session.flush()
    event = append_event("integrated", proposal=p, payload={"files": ["answer.pdf"]})
    evidence = _stored(owner, "minutes", proposal=p)
    append_event("meeting_recorded", proposal=p, payload={"file": {"sha256": evidence.sha256}})
    kept = {
        "statute of the draft": _stored(owner, "statute", proposal=p),
        "photo of a filed report": _stored(owner, "report_photo", proposal=p, linked_id=report.id),
        "file of an integration answer": _stored(
            owner, "integration", proposal=p, linked_id=event.seq
        ),
        "hash in the audit history": evidence,
        "recent unlinked photo": _stored(owner, "report_photo", proposal=p, hours_ago=2),
    }
    gone = {
        "photo of a report never filed": _stored(owner, "report_photo", proposal=p),
        "minutes of a meeting never recorded": _stored(owner, "minutes", proposal=p),
        "photo of a deleted report": _stored(owner, "report_photo", proposal=p, linked_id=999_999),
        "file of no proposal": _stored(owner, "photo"),
    }
    db.session.commit()
    strays = {
        "old orphan": _stray(app, "ab" * 16 + ".pdf", 30),
        "old half-written": _stray(app, ".part-x1y2z3", 30),
    }
    stays = {
        "recent orphan": _stray(app, "cd" * 16 + ".png", 1),
        "not ours": _stray(app, "README.txt", 300),
    }
    return kept, gone, strays, stays


def test_a_dry_run_lists_and_keeps_everything(app, runner, make):
    kept, gone, strays, stays = _setup(app, make)
    result = runner.invoke(args=["uploads", "clean", "--dry-run"])
    assert result.exit_code == 0, result.output
    for attachment in gone.values():
        assert f"would remove attachment {attachment.id} " in result.output
    for attachment in kept.values():
        assert f"attachment {attachment.id} " not in result.output
    assert f"would remove stray file {'ab' * 16}.pdf" in result.output
    assert "would remove abandoned attachments: 4, stray files: 2" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 9
    assert all(p.exists() for p in [*strays.values(), *stays.values()])


def test_clean_removes_only_what_nothing_uses(app, runner, make):
    kept, gone, strays, stays = _setup(app, make)
    gone_paths = [uploads.path_of(a) for a in gone.values()]
    gone_ids = [a.id for a in gone.values()]
    result = runner.invoke(args=["uploads", "clean", "--older-than", "24"])
    assert result.exit_code == 0, result.output
    assert "removed abandoned attachments: 4, stray files: 2" in result.output
    db.session.expire_all()
    left = set(db.session.scalars(db.select(Attachment.id)))
    assert left == {a.id for a in kept.values()}
    assert not left & set(gone_ids)
    assert not any(p.exists() for p in gone_paths)
    assert all(uploads.path_of(a).exists() for a in kept.values())
    assert not any(p.exists() for p in strays.values())
    assert all(p.exists() for p in stays.values())
    # A shorter grace period reaches the recent photo too; the rest still stays.
    again = runner.invoke(args=["uploads", "clean", "--older-than", "1"])
    assert "removed abandoned attachments: 1," in again.output
    bad = runner.invoke(args=["uploads", "clean", "--older-than", "-3"])
    assert bad.exit_code != 0 and "--older-than" in bad.output


def test_the_tick_cleans_uploads_too(app, runner, make):
    p = make.proposal()
    abandoned = _stored(p.representative, "report_photo", proposal=p, hours_ago=48)
    db.session.commit()
    path = uploads.path_of(abandoned)
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "uploads: removed abandoned attachments: 1," in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0
    assert not path.exists()
