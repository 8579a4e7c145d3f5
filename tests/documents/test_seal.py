"""The city's electronic seal (PAdES) on signed pacts, and its check on /verify."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from commons.documents import seal, storage
from commons.documents.models import Document
from commons.extensions import db
from tests.conftest import csrf_token
from tests.workflows.scenario import NOW, Cast, approve_and_sign, proposal_in

SIGNED_AT = NOW + timedelta(days=2)  # the last signature, when the signed PDF is issued


@pytest.fixture(scope="module")
def demo_p12(tmp_path_factory):
    return seal.create_demo_certificate(tmp_path_factory.mktemp("seal") / "seal.p12", "Testville")


@pytest.fixture(scope="module")
def signed_settings(demo_p12):
    """The module's pact is signed with the city's seal configured (documents/conftest)."""
    return {"SIGNING_P12": str(demo_p12)}


@pytest.fixture
def app(signed_app):
    """Every test of this module runs on a copy of its sealed pact, the seal configured."""
    return signed_app


@pytest.fixture
def sealed_pact(signed):
    return signed


def _stored(app, p, kind="signed") -> tuple[Document, bytes]:
    doc = db.session.scalar(
        select(Document).where(Document.proposal_id == p.id, Document.kind == kind)
    )
    return doc, storage.path_for(app.config["STORAGE_DIR"], doc.sha256).read_bytes()


def _post(client, data: bytes) -> str:
    token = csrf_token(client, "/verify")
    return client.post(
        "/verify",
        data={"csrf_token": token, "document": (io.BytesIO(data), "pact.pdf")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)


def test_signed_document_carries_a_pades_seal(app, sealed_pact):
    from pyhanko.pdf_utils.reader import PdfFileReader

    cast, p = sealed_pact
    doc, data = _stored(app, p)
    assert hashlib.sha256(data).hexdigest() == doc.sha256 and len(data) == doc.size
    signatures = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert len(signatures) == 1
    assert signatures[0].field_name == "CitySeal"
    assert signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signatures[0].sig_object["/Reason"] == "Collaboration pact signed by the parties"
    assert signatures[0].sig_object["/Location"] == "Testville"
    result = seal.verify_seal(data)
    assert result == {
        "signer": "Testville (demo seal, not valid for legal use)",
        "valid_integrity": True,
        "trusted": True,
        "signed_at": SIGNED_AT,
        "coverage": "entire file",
        "intact": True,
    }
    # Only the signed pact is sealed: the final text before signature is not.
    _final, final_data = _stored(app, p, "final")
    assert seal.verify_seal(final_data) is None
    # Not trusted without the registry's certificate, though still intact.
    untrusted = seal.verify_seal(data, trusted=[])
    assert untrusted["intact"] and not untrusted["trusted"]


def test_same_input_same_sealed_bytes(app, demo_p12):
    from weasyprint import HTML

    pdf = HTML(string="<h1>Pact</h1><p>Text.</p>").write_pdf()
    kwargs = {"reason": "test", "location": "Testville"}
    first = seal.apply_seal(pdf, demo_p12, signed_at=SIGNED_AT, **kwargs)
    again = seal.apply_seal(pdf, demo_p12, signed_at=SIGNED_AT, **kwargs)
    assert first == again
    later = seal.apply_seal(pdf, demo_p12, signed_at=SIGNED_AT + timedelta(seconds=1), **kwargs)
    assert later != first and seal.verify_seal(later)["intact"]
    assert first.startswith(pdf)  # an incremental update: the original bytes come first


def test_issuing_again_gives_the_same_sealed_document(app, sealed_pact):
    from commons.documents.models import PactVersion
    from commons.documents.operations import issue_document, signature_rows

    cast, p = sealed_pact
    doc, _data = _stored(app, p)
    version = db.session.get(PactVersion, doc.version_id)
    again = issue_document(p, version, "signed", issued_at=SIGNED_AT, signatures=signature_rows(p))
    assert again.id == doc.id


def test_verify_page_checks_the_seal(app, client, sealed_pact, demo_p12):
    cast, p = sealed_pact
    doc, data = _stored(app, p)
    page = _post(client, data)
    assert "Issued by this registry and intact" in page
    assert (
        "Electronic seal: valid, by Testville (demo seal, not valid for legal use), "
        "3 June 2026, 12:00 CEST; the document was not changed after sealing." in page
    )
    by_hash = client.get(f"/verify?sha256={doc.sha256}").get_data(as_text=True)
    assert "Electronic seal: valid" in by_hash

    tampered = bytearray(data)
    tampered[len(data) // 4] ^= 0x01  # inside the original PDF: covered by the seal
    broken = seal.verify_seal(bytes(tampered))
    assert broken is not None and not broken["valid_integrity"] and not broken["intact"]
    page = _post(client, bytes(tampered))
    assert "Altered or not issued" in page and "Electronic seal: broken" in page
    assert "Electronic seal: valid" not in page

    # A file sealed with the registry's certificate that the registry did not issue.
    _final, final_data = _stored(app, p, "final")
    other = seal.apply_seal(
        final_data, demo_p12, signed_at=NOW, reason="test", location="Elsewhere"
    )
    page = _post(client, other)
    assert "Altered or not issued" in page and "Electronic seal: valid" in page
    assert "this registry has no record of issuing this exact file" in page


def test_content_added_after_sealing_is_reported(app, client, sealed_pact):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    cast, p = sealed_pact
    _doc, data = _stored(app, p)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root["/PageMode"] = generic.NameObject("/UseOutlines")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = seal.verify_seal(out.getvalue())
    assert result["valid_integrity"] and result["coverage"] == "partial"
    assert not result["intact"]
    page = _post(client, out.getvalue())
    assert "the file was changed after sealing" in page


def test_unsealed_when_no_certificate_is_configured(app, client):
    app.config["SIGNING_P12"] = ""
    cast = Cast()
    p = proposal_in("legal_review", cast)
    approve_and_sign(cast, p)
    _doc, data = _stored(app, p)
    assert b"/ByteRange" not in data and seal.verify_seal(data) is None
    page = _post(client, data)
    assert "Issued by this registry and intact" in page and "Electronic seal" not in page


def test_demo_certificate(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    path = seal.create_demo_certificate(tmp_path / "d.p12", "Demo City", password="s3cret")
    before = path.read_bytes()
    assert seal.create_demo_certificate(path, "Other City", password="x") == path
    assert path.read_bytes() == before  # kept as it was
    assert path.stat().st_mode & 0o077 == 0
    key, cert, _extra = pkcs12.load_key_and_certificates(before, b"s3cret")
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    assert cert.subject.rfc4514_string().startswith(
        "O=Demo City,CN=Demo City (demo seal\\, not valid for legal use)"
    )
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    years = (cert.not_valid_after_utc - datetime.now(UTC)).days / 365
    assert 9.9 < years <= 10
    with pytest.raises(seal.SealError):
        seal.apply_seal(b"%PDF-1.7", path, "wrong", signed_at=NOW, reason="r", location="l")


def test_demo_seal_is_used_for_the_run_when_none_is_configured(tmp_path):
    lines = []
    config = {"INSTANCE_DIR": str(tmp_path), "CITY_NAME": "Testville", "SIGNING_P12": ""}
    path = seal.ensure_demo_seal(config, lines.append)
    assert path == tmp_path / "demo-seal.p12" and path.exists()
    assert config["SIGNING_P12"] == str(path)
    assert f"COMMONS_SIGNING_P12={path}" in lines[0]
    configured = {**config, "SIGNING_P12": "/etc/city/seal.p12"}
    seal.ensure_demo_seal(configured, lines.append)
    assert configured["SIGNING_P12"] == "/etc/city/seal.p12" and len(lines) == 1


def test_pacts_render_gives_back_the_sealed_bytes(app, runner, sealed_pact, tmp_path):
    import hashlib

    cast, p = sealed_pact
    doc, _data = _stored(app, p)
    out = tmp_path / "again.pdf"
    result = runner.invoke(args=["pacts", "render", p.protocol_number, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(out.read_bytes()).hexdigest() == doc.sha256


def test_pacts_sealed_before_a_key_rotation_still_verify(app, runner, sealed_pact, tmp_path):
    """The city replaces its seal: pacts sealed with the old key stay the city's once the old
    certificate, written by `commons pacts seal-certificate`, is listed as a previous seal."""
    _, p = sealed_pact
    _, data = _stored(app, p)
    old_certificate = tmp_path / "old-seal.pem"
    result = runner.invoke(args=["pacts", "seal-certificate", str(old_certificate)])
    assert result.exit_code == 0, result.output
    assert old_certificate.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert "Testville" in result.output

    new_p12 = seal.create_demo_certificate(tmp_path / "new-seal.p12", "Testville")
    app.config["SIGNING_P12"] = str(new_p12)
    assert seal.verify_seal(data)["trusted"] is False  # the new key alone: not the city's

    app.config["PREVIOUS_SEALS"] = [str(old_certificate)]
    checked = seal.verify_seal(data)
    assert checked["trusted"] is True and checked["intact"] is True
    assert len(seal.configured_certificates()) == 2


def test_an_unreadable_previous_seal_is_left_out(app, demo_p12, tmp_path, caplog):
    app.config["SIGNING_P12"] = str(demo_p12)
    app.config["PREVIOUS_SEALS"] = [str(tmp_path / "missing.pem")]
    assert len(seal.configured_certificates()) == 1
    assert "previous seal certificate cannot be read" in caplog.text


def test_seal_certificate_needs_a_configured_seal(app, runner, tmp_path):
    app.config["SIGNING_P12"] = ""
    result = runner.invoke(args=["pacts", "seal-certificate", str(tmp_path / "x.pem")])
    assert result.exit_code != 0 and "no seal is configured" in result.output
