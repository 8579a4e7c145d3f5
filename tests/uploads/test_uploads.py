"""Uploads: sniffed type, size cap, random names outside the web root, served to the allowed."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from commons.extensions import db
from commons.uploads import operations as uploads
from commons.uploads.models import Attachment
from tests.conftest import csrf_token, login

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _upload(client, proposal, data: bytes, name: str, purpose="statute", mimetype=None):
    url = f"/apply/{proposal.id}/attachments"
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "purpose": purpose,
            "file": (io.BytesIO(data), name, mimetype or "application/pdf"),
            "go": "add",
        },
        content_type="multipart/form-data",
    )


def test_sniffing_trusts_the_bytes_not_the_name():
    assert uploads.sniff(PDF) == "application/pdf"
    assert uploads.sniff(PNG) == "image/png"
    assert uploads.sniff(JPEG) == "image/jpeg"
    assert uploads.sniff(b"hello, I am text pretending to be a PDF") is None
    assert uploads.sniff(b"GIF89a") is None


def test_names_are_sanitised(app):
    assert uploads.sanitise_name("../../etc/passwd", "application/pdf") == "passwd.pdf"
    assert uploads.sanitise_name("C:\\Users\\me\\statuto.PDF", "application/pdf") == "statuto.PDF"
    assert uploads.sanitise_name("photo.pdf", "image/png") == "photo.pdf.png"
    assert uploads.sanitise_name("<script>.jpg", "image/jpeg") == "script_.jpg"
    assert uploads.sanitise_name("", "image/jpeg") == "file.jpg"
    assert len(uploads.sanitise_name("a" * 500 + ".pdf", "application/pdf")) == 200


def test_a_pdf_is_stored_under_a_random_name_with_its_hash(app, client, make):
    p = make.proposal()
    login(client, p.representative.email)
    response = _upload(client, p, PDF, "../Statuto associazione.pdf", mimetype="text/plain")
    assert response.status_code == 302
    attachment = db.session.scalars(db.select(Attachment)).one()
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "Statuto associazione.pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.size == len(PDF)
    assert attachment.purpose == "statute" and attachment.proposal_id == p.id
    path = uploads.path_of(attachment)
    assert path.read_bytes() == PDF
    assert "Statuto" not in path.name and len(path.stem) == 32
    assert Path(app.config["INSTANCE_DIR"]) / "uploads" == path.parent
    assert not (Path(app.static_folder) / path.name).exists()
    assert not list(path.parent.glob(".part-*"))  # no temporary file left behind


def test_a_fake_pdf_is_refused_and_the_form_kept(app, client, make):
    p = make.proposal()
    login(client, p.representative.email)
    response = _upload(client, p, b"just some text, not a PDF", "statute.pdf", purpose="plan")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a PDF, JPEG or PNG" in page
    assert 'id="file-error"' in page and "There is a problem" in page
    assert '<option selected value="plan">' in page  # what the person chose is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0
    assert not list((Path(app.config["INSTANCE_DIR"]) / "uploads").glob(".part-*"))


def test_an_oversized_file_is_refused_with_the_limit(app, client, make):
    app.config["MAX_UPLOAD_MB"] = 1
    p = make.proposal()
    login(client, p.representative.email)
    response = _upload(client, p, PDF + b"0" * (1024 * 1024), "big.pdf", purpose="plan")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "too large" in page and "at most 1 MB" in page
    assert '<option selected value="plan">' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_a_request_beyond_the_request_cap_gets_a_friendly_413(app, client, make):
    p = make.proposal()
    login(client, p.representative.email)
    token = csrf_token(client, f"/apply/{p.id}/attachments")
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = client.post(
        f"/apply/{p.id}/attachments",
        data={"csrf_token": token, "purpose": "plan", "file": (io.BytesIO(PDF * 100), "x.pdf")},
        content_type="multipart/form-data",
        headers={"Referer": f"http://localhost/apply/{p.id}/attachments"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "too large" in page and "Back to the form" in page


def test_files_are_served_only_to_those_allowed(app, client, make):
    p = make.proposal()
    login(client, p.representative.email)
    _upload(client, p, PNG, "garden.png", purpose="photo")
    attachment = db.session.scalars(db.select(Attachment)).one()
    response = client.get(f"/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "filename=garden.png" in response.headers["Content-Disposition"]
    assert "sandbox" in response.headers["Content-Security-Policy"]

    stranger = app.test_client()
    login(stranger, make.user().email)
    assert stranger.get(f"/attachments/{attachment.id}").status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(f"/attachments/{attachment.id}").status_code == 302  # to the login


def test_the_owner_removes_a_file_from_a_draft(app, client, make):
    p = make.proposal()
    login(client, p.representative.email)
    _upload(client, p, JPEG, "me.jpg", purpose="identity")
    attachment = db.session.scalars(db.select(Attachment)).one()
    path = uploads.path_of(attachment)
    url = f"/apply/{p.id}/attachments"
    response = client.post(
        f"/attachments/{attachment.id}/delete",
        data={"csrf_token": csrf_token(client, url), "next": url},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0
    assert not path.exists()
