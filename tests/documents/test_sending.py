"""One way to send an issued document: the web page and the API stream the stored file through
the same function, with the same read rule (``can(user, "document.read", document)``)."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from commons.auth.permissions import can
from commons.documents import storage
from commons.documents.models import Document
from commons.extensions import db
from tests.api.helpers import auth, token_for
from tests.conftest import login


@pytest.fixture
def app(signed_app):
    """Every test of this module runs on a copy of its signed pact (tests/documents/conftest.py)."""
    return signed_app


@pytest.fixture
def signed_pact(signed):
    cast, p = signed
    docs = {
        d.kind: d for d in db.session.scalars(select(Document).where(Document.proposal_id == p.id))
    }
    return cast, p, docs


def test_web_headers_of_a_signed_and_a_final_pact(client, signed_pact):
    cast, p, docs = signed_pact
    signed = client.get(f"/documents/{docs['signed'].sha256}.pdf")
    assert signed.status_code == 200
    assert signed.headers["Content-Type"] == "application/pdf"
    assert signed.headers["ETag"] == f'"{docs["signed"].sha256}"'
    assert signed.headers["Cache-Control"] == "public, max-age=86400, immutable"
    assert signed.headers["X-Content-Type-Options"] == "nosniff"
    name = p.protocol_number.replace("/", "-")
    assert f"pact-{name}-signed.pdf" in signed.headers["Content-Disposition"]
    assert hashlib.sha256(signed.get_data()).hexdigest() == docs["signed"].sha256

    login(client, cast.representative.email)
    final = client.get(f"/documents/{docs['final'].sha256}.pdf")
    assert final.status_code == 200
    assert final.headers["Cache-Control"] == "private, max-age=3600"
    assert f"pact-{name}-final.pdf" in final.headers["Content-Disposition"]


def test_api_headers_of_a_signed_and_a_final_pact(client, signed_pact):
    cast, p, docs = signed_pact
    sha = docs["signed"].sha256
    signed = client.get(f"/api/v1/documents/{sha}/pdf")
    assert signed.status_code == 200
    assert signed.headers["Content-Type"] == "application/pdf"
    assert signed.headers["ETag"] == f'"{sha}"'
    assert signed.headers["Cache-Control"] == "no-cache"
    assert signed.headers["X-Content-Type-Options"] == "nosniff"
    assert f"{sha}.pdf" in signed.headers["Content-Disposition"]
    assert hashlib.sha256(signed.get_data()).hexdigest() == sha
    assert (
        client.get(
            f"/api/v1/documents/{sha}/pdf", headers={"If-None-Match": f'"{sha}"'}
        ).status_code
        == 304
    )

    final = docs["final"].sha256
    assert client.get(f"/api/v1/documents/{final}/pdf").status_code == 401
    secret = token_for(cast.representative)
    mine = client.get(f"/api/v1/documents/{final}/pdf", headers=auth(secret))
    assert mine.status_code == 200 and mine.headers["Cache-Control"] == "no-cache"


def test_a_file_missing_from_the_storage_is_404_on_both(app, client, signed_pact):
    cast, p, docs = signed_pact
    sha = docs["signed"].sha256
    stored = storage.path_for(app.config["STORAGE_DIR"], sha)
    kept = stored.read_bytes()  # the module's other copies share the stored file
    stored.unlink()
    try:
        assert client.get(f"/documents/{sha}.pdf").status_code == 404
        missing = client.get(f"/api/v1/documents/{sha}/pdf")
        assert missing.status_code == 404
        assert "missing from the storage" in missing.get_json()["detail"]
    finally:
        stored.write_bytes(kept)


def test_the_read_rule_is_one_and_every_list_uses_it(client, signed_pact):
    """can(user, "document.read") decides the download, the case page's list and the API's."""
    cast, p, docs = signed_pact
    outsider_secret = token_for(cast.auditor)  # staff, but not one of the proposal's people
    listed = client.get(f"/api/v1/proposals/{p.id}/documents", headers=auth(outsider_secret))
    assert {d["sha256"] for d in listed.get_json()} == {
        d.sha256 for d in docs.values() if can(cast.auditor, "document.read", d)
    }
    anonymous = client.get(f"/api/v1/proposals/{p.id}/documents").get_json()
    assert [d["sha256"] for d in anonymous] == [docs["signed"].sha256]
    assert can(None, "document.read", docs["signed"])
    assert not can(None, "document.read", docs["final"])
    assert can(cast.representative, "document.read", docs["final"])
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert docs["signed"].sha256 in page and docs["final"].sha256 not in page
