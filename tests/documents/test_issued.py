"""Documents through the lifecycle: final at approval, signed at the last signature, stored,
served, and verifiable by anyone."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.documents import storage
from commons.documents.models import Document, Signature
from commons.extensions import db


@pytest.fixture
def app(signed_app):
    """Every test of this module runs on a copy of its signed pact (tests/documents/conftest.py)."""
    return signed_app


def _documents(p):
    return {
        d.kind: d for d in db.session.scalars(select(Document).where(Document.proposal_id == p.id))
    }


def test_approval_issues_final_pdf_and_signatures_bind_to_it(app, signed):
    cast, p = signed
    docs = _documents(p)
    assert set(docs) == {"final", "signed"}
    root = app.config["STORAGE_DIR"]
    for doc in docs.values():
        data = storage.path_for(root, doc.sha256).read_bytes()
        assert hashlib.sha256(data).hexdigest() == doc.sha256 and len(data) == doc.size
        assert data.startswith(b"%PDF-")
    approve = db.session.scalar(
        select(AuditEvent).where(AuditEvent.trigger == "approve", AuditEvent.proposal_id == p.id)
    )
    assert approve.payload["final_pdf_sha256"] == docs["final"].sha256
    hashes = {s.document_hash for s in db.session.scalars(select(Signature))}
    assert hashes == {docs["final"].sha256}
    last_sign = db.session.scalars(
        select(AuditEvent).where(AuditEvent.trigger == "sign").order_by(AuditEvent.seq)
    ).all()[-1]
    assert last_sign.payload["signed_pdf_sha256"] == docs["signed"].sha256


def test_signed_pdf_has_the_signature_page(app, signed):
    from pypdf import PdfReader

    cast, p = signed
    doc = _documents(p)["signed"]
    reader = PdfReader(storage.path_for(app.config["STORAGE_DIR"], doc.sha256))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Rita Representative" in text and "Leo Legal" in text
    assert _documents(p)["final"].sha256 in text.replace("\n", "")


def test_serving_streams_the_stored_bytes_with_etag(app, client, signed):
    cast, p = signed
    doc = _documents(p)["signed"]
    response = client.get(f"/documents/{doc.sha256}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["ETag"].strip('"') == doc.sha256
    assert hashlib.sha256(response.get_data()).hexdigest() == doc.sha256
    again = client.get(f"/documents/{doc.sha256}.pdf", headers={"If-None-Match": f'"{doc.sha256}"'})
    assert again.status_code == 304
    # The final text before signature stays with those involved.
    final = _documents(p)["final"]
    assert client.get(f"/documents/{final.sha256}.pdf").status_code == 403
    assert client.get(f"/documents/{'0' * 64}.pdf").status_code == 404


def test_verify_page_recognises_and_refuses(app, client, signed):
    from tests.conftest import csrf_token

    cast, p = signed
    doc = _documents(p)["signed"]
    data = storage.path_for(app.config["STORAGE_DIR"], doc.sha256).read_bytes()
    token = csrf_token(client, "/verify")
    page = client.post(
        "/verify",
        data={"csrf_token": token, "document": (io.BytesIO(data), "pact.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Issued by this registry and intact" in page
    assert p.protocol_number in page and "signed pact" in page and "Leo Legal" in page
    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0x01
    page = client.post(
        "/verify",
        data={"csrf_token": token, "document": (io.BytesIO(bytes(tampered)), "pact.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Altered or not issued" in page
    by_hash = client.get(f"/verify?sha256={doc.sha256}").get_data(as_text=True)
    assert "Issued by this registry and intact" in by_hash
    bad = client.post("/verify", data={"csrf_token": token, "sha256": "not-a-hash"})
    assert bad.status_code == 422 and "64 characters" in bad.get_data(as_text=True)


def test_cli_verify_render_and_list(app, runner, signed, tmp_path):
    cast, p = signed
    docs = _documents(p)
    stored = storage.path_for(app.config["STORAGE_DIR"], docs["signed"].sha256)
    ok = runner.invoke(args=["pacts", "verify", str(stored)])
    assert ok.exit_code == 0 and "ISSUED and intact" in ok.output
    altered = tmp_path / "altered.pdf"
    data = bytearray(stored.read_bytes())
    data[100] ^= 0x01
    altered.write_bytes(bytes(data))
    bad = runner.invoke(args=["pacts", "verify", str(altered)])
    assert bad.exit_code == 1 and "ALTERED OR NOT ISSUED" in bad.output
    out = tmp_path / "again.pdf"
    rendered = runner.invoke(args=["pacts", "render", p.protocol_number, "-o", str(out)])
    assert rendered.exit_code == 0, rendered.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == docs["signed"].sha256
    listing = runner.invoke(args=["pacts", "list", "--state", "active", "--json"])
    assert p.protocol_number in listing.output and docs["signed"].sha256 in listing.output
