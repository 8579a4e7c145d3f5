"""The pact's verification page, which the QR code on its PDF opens: it answers whoever holds a
paper or electronic copy (which pact, who signed and when, the term, the state today, the signed
file) and checks the file they hold."""

from __future__ import annotations

import io
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from commons.documents import pact_html, storage
from commons.documents.models import Document, PactVersion
from commons.extensions import db
from commons.payloads import readable_moment
from tests import factories
from tests.conftest import csrf_token
from tests.workflows.scenario import NOW, Cast, approve_and_sign, proposal_in
from workflows import fire

SIGNED_PACTS = 2  # (cast, first, second): tests/documents/conftest.py


@pytest.fixture
def app(signed_app):
    """Every test of this module runs on a copy of its two signed pacts (documents/conftest)."""
    return signed_app


@pytest.fixture
def qr_urls(monkeypatch):
    """Every address the renderer was asked to draw as a QR code (segno cannot decode one)."""
    seen: list[str] = []
    draw = pact_html._qr_svg

    def recording(url):
        seen.append(url)
        return draw(url)

    monkeypatch.setattr(pact_html, "_qr_svg", recording)
    return seen


def _document(p, kind: str) -> Document:
    return db.session.scalar(
        select(Document).where(Document.proposal_id == p.id, Document.kind == kind)
    )


def _bytes(app, document: Document) -> bytes:
    return storage.path_for(app.config["STORAGE_DIR"], document.sha256).read_bytes()


def _in_force_today(p) -> None:
    """Set-up shortcut: a term around today, so the page's 'today' finds the pact in force."""
    p.start_date = date.today() - timedelta(days=30)
    p.end_date = date.today() + timedelta(days=700)
    db.session.commit()


def _sign_in_order(cast: Cast, p) -> None:
    """Both parties sign an approved pact, the representative first."""
    for who, days in ((cast.representative, 1), (cast.legal, 2)):
        fire(
            p,
            "sign",
            who,
            now=NOW + timedelta(days=days),
            full_name=who.full_name,
            consent="y",
            password=factories.PASSWORD,
        )
        db.session.commit()


def _check(client, url: str, data: bytes, name: str = "pact.pdf"):
    return client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "document": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_qr_code_opens_the_pacts_verification_page(app, client, qr_urls):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    approve_and_sign(cast, p)
    signed = _document(p, "signed")
    expected = f"{app.config['PUBLIC_URL']}/pacts/{p.id}/verify"
    # Approval rendered the final PDF, the last signature the signed one: both carry the page.
    assert qr_urls[-2:] == [expected, expected]
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(_bytes(app, signed))).pages
    )
    assert expected in text.replace("\n", "")  # the address printed under the code, too

    _in_force_today(p)
    response = client.get(urlsplit(expected).path)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert p.title in page and p.protocol_number in page
    # The parties: the city and the proponent with its representative.
    assert "Testville" in page and p.group.name in page
    assert "represented by Rita Representative" in page
    # Who signed, for whom, and when (in the city's time zone).
    with app.test_request_context():
        signed_on = [readable_moment(NOW + timedelta(days=d)) for d in (1, 2)]
        start, end = readable_moment(p.start_date), readable_moment(p.end_date)
    for name, when in zip(("Rita Representative", "Leo Legal"), signed_on, strict=True):
        assert name in page and when in page
    assert "the proponent" in page and "the city" in page
    # The term and the state today; the signed file to download.
    assert "In force from" in page and start in page and end in page
    assert "Current state: Active" in page and "This pact is in force." in page
    assert f'href="/documents/{signed.sha256}.pdf"' in page


def test_after_revocation_the_page_says_it_is_no_longer_in_force(app, client, signed):
    cast, p, _ = signed
    revoked_at = NOW + timedelta(days=40)
    fire(p, "revoke", cast.legal, now=revoked_at, reasons="Repeated breach of safety rules.")
    db.session.commit()
    page = client.get(f"/pacts/{p.id}/verify").get_data(as_text=True)
    with app.test_request_context():
        when = readable_moment(revoked_at)
    assert "Current state: Revoked" in page
    assert f"This pact was revoked on {when}: it is no longer in force." in page
    assert "This pact is in force." not in page
    # What was signed stays as it was: the signatures and the signed file.
    assert "Rita Representative" in page and "Leo Legal" in page
    assert f'href="/documents/{_document(p, "signed").sha256}.pdf"' in page


def test_the_file_held_is_checked_against_the_one_issued(app, client, signed):
    cast, p, _ = signed
    url = f"/pacts/{p.id}/verify"
    signed = _bytes(app, _document(p, "signed"))

    page = _check(client, url, signed).get_data(as_text=True)
    assert "Genuine: this is the signed pact the registry issued" in page

    altered = bytearray(signed)
    altered[len(altered) // 2] ^= 0x01
    response = _check(client, url, bytes(altered))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Not the file the registry issued" in page and "Genuine" not in page

    page = _check(client, url, _bytes(app, _document(p, "final"))).get_data(as_text=True)
    assert "Issued by the registry, but not the signed pact" in page
    assert "the text approved for signature, before the signatures" in page

    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 422
    assert "Choose the PDF file to check." in response.get_data(as_text=True)


def test_a_file_of_another_pact_is_named_as_such(app, client, signed):
    cast, first, other = signed
    page = _check(
        client, f"/pacts/{first.id}/verify", _bytes(app, _document(other, "signed"))
    ).get_data(as_text=True)
    assert "This file belongs to another pact" in page
    assert f'href="/pacts/{other.id}/verify"' in page


def test_the_page_shows_public_data_only(app, client):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    p.group.tax_code = "SECRET-TAX-CODE"
    p.group.address = "Via Segreta 1"
    p.group.email = "group-secret@example.org"
    fire(p, "approve", cast.legal, now=NOW, act_number="DD 5/2026", act_date="2026-05-30")
    db.session.commit()
    page = client.get(f"/pacts/{p.id}/verify").get_data(as_text=True)
    # Approved, not yet signed: the proponent is not named yet, nothing is in force.
    assert "Rita Representative" not in page and p.group.name not in page
    assert "not in force yet" in page and "Nobody has signed this pact yet." in page
    _sign_in_order(cast, p)
    page = client.get(f"/pacts/{p.id}/verify").get_data(as_text=True)
    assert "Rita Representative" in page
    for private in (
        "SECRET-TAX-CODE",
        "Via Segreta 1",
        "group-secret@example.org",
        cast.representative.email,
        "Mario Member",
    ):
        assert private not in page


def test_a_draft_has_no_verification_page(app, client):
    cast = Cast()
    p = proposal_in("draft", cast)
    assert client.get(f"/pacts/{p.id}/verify").status_code == 404


def test_an_older_qr_code_with_the_text_fingerprint_opens_the_page(app, client, signed):
    """PDFs issued before carry /verify?sha256=<hash of the pact text>: they land on the page."""
    cast, p, _ = signed
    version = db.session.scalars(select(PactVersion).where(PactVersion.proposal_id == p.id)).first()
    response = client.get(f"/verify?sha256={version.content_hash}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pacts/{p.id}/verify")


def test_the_page_speaks_italian(app, client, signed):
    cast, _, p = signed
    _in_force_today(p)
    page = client.get(f"/pacts/{p.id}/verify", headers={"Accept-Language": "it"}).get_data(
        as_text=True
    )
    assert "Verifica di un patto di collaborazione" in page
    assert "Questo patto è in vigore." in page and "Firme" in page
