"""Upload quotas: a draft cannot be used to fill the city's disk (37 files, 35 MB in 4 s)."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from commons.extensions import db
from commons.uploads.models import Attachment
from tests import factories
from tests.conftest import csrf_token, login

PNG = b"\x89PNG\r\n\x1a\n"


def _upload(client, proposal_id: int, size: int, name: str):
    url = f"/apply/{proposal_id}/attachments"
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "purpose": "photo",
            "file": (io.BytesIO(PNG + b"1" * (size - len(PNG))), name),
            "go": "stay",
        },
        content_type="multipart/form-data",
    )


def _stored(proposal_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.proposal_id == proposal_id)
    )


def _draft(client):
    rep = factories.user(name="Rita Representative")
    proposal = factories.proposal(factories.group(rep))
    db.session.commit()
    login(client, rep.email)
    return rep, proposal


def test_a_draft_holds_at_most_its_quota_of_files(app, client):
    app.config["UPLOAD_FILES_PER_PROPOSAL"] = 3
    _rep, proposal = _draft(client)
    for n in range(3):
        _upload(client, proposal.id, 100, f"photo-{n}.png")
    assert _stored(proposal.id) == 3
    response = _upload(client, proposal.id, 100, "one-too-many.png")
    assert "already holds 3 files, the most it may have" in response.get_data(as_text=True)
    assert _stored(proposal.id) == 3


def test_a_draft_holds_at_most_its_quota_of_megabytes(app, client):
    app.config["UPLOAD_MB_PER_PROPOSAL"] = 1
    _rep, proposal = _draft(client)
    _upload(client, proposal.id, 700_000, "big.png")
    response = _upload(client, proposal.id, 700_000, "bigger.png")
    assert "would take more than 1 MB together" in response.get_data(as_text=True)
    assert _stored(proposal.id) == 1


def test_one_person_uploads_at_most_the_daily_quota(app, client):
    app.config["UPLOAD_MB_PER_USER_DAY"] = 1
    rep, first = _draft(client)
    second = factories.proposal(first.group)
    db.session.commit()
    _upload(client, first.id, 700_000, "a.png")
    response = _upload(client, second.id, 700_000, "b.png")
    assert "the most one person may" in response.get_data(as_text=True)
    assert _stored(second.id) == 0
