"""Signatures made with the parties' own tools (issue 16): PAdES PDFs and CAdES .p7m uploads,
verified with pyHanko against the issued final PDF and a test CA made here."""

from __future__ import annotations

import base64
import csv
import io
import re
import zipfile

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.documents import qualified, storage
from commons.documents.models import Document, Signature
from commons.extensions import db
from tests import factories
from tests.api.helpers import Caller, token_for
from tests.conftest import csrf_token, login
from tests.documents.signing_ca import TestCA, cades, pades
from tests.workflows.scenario import Cast, proposal_in

FISCAL_CODE = "RSSMRA80A01H501U"


def _blank_pdf(size: int) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(size, size)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def pki():
    ca, stranger_ca = TestCA(), TestCA("Unknown Root CA")
    return {
        "ca": ca,
        "root": asn1_x509.Certificate.load(ca.certificate.public_bytes(serialization.Encoding.DER)),
        "qualified": ca.issue("Rita Representative", fiscal_code=FISCAL_CODE, qualified=True),
        "advanced": ca.issue("Leo Legal"),
        "expired": ca.issue("Old Signer", qualified=True, expired=True),
        "stranger": stranger_ca.issue("Somebody Else", qualified=True),
        "issued": _blank_pdf(200),
        "other": _blank_pdf(300),
    }


SIGN = {"pades": pades, "cades": cades}


@pytest.mark.parametrize("fmt", ["pades", "cades"])
def test_a_qualified_and_an_advanced_certificate_give_their_levels(app, pki, fmt):
    checked = qualified.verify_signed_file(
        SIGN[fmt](pki["issued"], pki["qualified"]), pki["issued"], [pki["root"]]
    )
    assert (checked.level, checked.format, checked.fiscal_number) == ("qualified", fmt, FISCAL_CODE)
    assert checked.common_name == "Rita Representative"
    checked = qualified.verify_signed_file(
        SIGN[fmt](pki["issued"], pki["advanced"]), pki["issued"], [pki["root"]]
    )
    assert (checked.level, checked.fiscal_number) == ("advanced", None)


@pytest.mark.parametrize("fmt", ["pades", "cades"])
def test_refusals_say_why(app, pki, fmt):
    def refusal(data: bytes) -> str:
        with pytest.raises(qualified.SignatureRefused) as refused:
            qualified.verify_signed_file(data, pki["issued"], [pki["root"]])
        return refused.value.message

    sign = SIGN[fmt]
    assert "different document" in refusal(sign(pki["other"], pki["qualified"]))
    assert "Unknown signer" in refusal(sign(pki["issued"], pki["stranger"]))
    assert "expired" in refusal(sign(pki["issued"], pki["expired"]))
    signed = bytearray(sign(pki["issued"], pki["qualified"]))
    if fmt == "pades":
        # A byte of the signed revision changed: the page's size, in the signed update.
        at = signed.index(b"/MediaBox [ 0 0 200", len(pki["issued"])) + 16
    else:
        at = len(signed) - 20  # inside the signature value
    signed[at] = ord("9") if signed[at] != ord("9") else ord("8")
    assert "broken" in refusal(bytes(signed))
    with pytest.raises(qualified.SignatureRefused, match="no trusted certification"):
        qualified.verify_signed_file(sign(pki["issued"], pki["qualified"]), pki["issued"], [])


def test_trust_roots_come_from_the_folder(tmp_path, pki):
    folder = tmp_path / "roots"
    pki["ca"].write_root(folder)
    (folder / "second.der").write_bytes(
        TestCA("Second").certificate.public_bytes(serialization.Encoding.DER)
    )
    (folder / "notes.txt").write_text("not a certificate")
    (folder / "broken.pem").write_text("-----BEGIN CERTIFICATE-----\nnope\n")
    roots = qualified.load_trust_roots(folder)
    assert sorted(c.subject.native["common_name"] for c in roots) == [
        "Commons Test Root CA",
        "Second",
    ]
    assert qualified.load_trust_roots(tmp_path / "missing") == []


def _sign_form(client, url, who, *, data: bytes, name: str):
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    return client.post(
        f"{url}/actions/sign",
        data={
            "csrf_token": csrf_token(client, url),
            "expected_version": version,
            "upload": "y",
            "full_name": who.full_name,
            "consent": "y",
            "password": factories.PASSWORD,
            "signed_file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def test_both_parties_upload_their_signed_files_and_the_pact_comes_into_force(app, pki, tmp_path):
    """The journey: approve, a wrong upload refused and nothing kept, then the representative's
    PAdES (qualified, the form) and the city's .p7m (advanced, the API): in force, at the
    weakest level, shown on the pages and in the audit trail, whose chain verifies."""
    import workflows

    app.config["TRUST_ROOTS"] = str(tmp_path / "roots")
    pki["ca"].write_root(tmp_path / "roots")
    cast = Cast()
    cast.representative.tax_code = FISCAL_CODE
    p = proposal_in("legal_review", cast)
    workflows.fire(p, "approve", cast.legal, act_number="DD 5/2026", act_date="2026-05-30")
    db.session.commit()
    final = db.session.scalar(
        select(Document).where(Document.proposal_id == p.id, Document.kind == "final")
    )
    issued = storage.path_for(app.config["STORAGE_DIR"], final.sha256).read_bytes()
    url = f"/proposals/{p.id}"
    rep = app.test_client()
    login(rep, cast.representative.email)
    page = rep.get(url).get_data(as_text=True)
    assert 'id="sign-upload"' in page and 'enctype="multipart/form-data"' in page

    refused = _sign_form(
        rep, url, cast.representative, data=pades(pki["other"], pki["qualified"]), name="x.pdf"
    )
    assert refused.status_code == 422
    assert "different document" in refused.get_data(as_text=True)
    someone_else = pades(issued, pki["ca"].issue("Mallory", fiscal_code="MLLMLL70A01H501X"))
    refused = _sign_form(rep, url, cast.representative, data=someone_else, name="m.pdf")
    assert refused.status_code == 422
    assert "not to the holder of this account" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(Signature).where(Signature.proposal_id == p.id)).all() == []

    signed_pdf = pades(issued, pki["qualified"])
    assert (
        _sign_form(rep, url, cast.representative, data=signed_pdf, name="s.pdf").status_code == 302
    )
    # The city's legal officer signs through the API: the .p7m in base64.
    legal = Caller(app.test_client(), token_for(cast.legal))
    p7m = cades(issued, pki["advanced"])
    sign = {"full_name": cast.legal.full_name, "consent": "y", "password": factories.PASSWORD}
    body = {"data": sign, "signed_file": "not base64!"}
    bad = legal.post(f"/proposals/{p.id}/transitions/sign", json=body)
    assert bad.status_code == 400 and "base64" in bad.get_json()["detail"]
    body["signed_file"] = base64.b64encode(p7m).decode()
    answer = legal.post(f"/proposals/{p.id}/transitions/sign", json=body)
    assert answer.status_code == 200, answer.get_json()

    db.session.expire_all()
    assert p.status in workflows.get_profile(p.profile).in_force
    rows = {
        s.signer_role: s
        for s in db.session.scalars(select(Signature).where(Signature.proposal_id == p.id))
    }
    assert (rows["representative"].level, rows["representative"].fiscal_number) == (
        "qualified",
        FISCAL_CODE,
    )
    assert rows["legal"].level == "advanced" and "Leo Legal" in rows["legal"].certificate_subject
    assert {
        d.kind for d in db.session.scalars(select(Document).where(Document.proposal_id == p.id))
    } == {
        "final",
        "signed_upload",
        "signed",
    }
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.proposal_id == p.id, AuditEvent.trigger == "sign")
        .order_by(AuditEvent.seq)
    ).all()
    assert [e.payload["signature"]["level"] for e in events] == ["qualified", "advanced"]
    assert "signed_file" not in events[0].payload and FISCAL_CODE not in str(events[0].payload)

    # The public verification page: levels, the pact's (weakest) level, the files as signed.
    public = app.test_client()
    verify = public.get(f"/pacts/{p.id}/verify").get_data(as_text=True)
    assert "qualified electronic signature" in verify and "advanced electronic signature" in verify
    assert re.search(r'id="pact-level">[^<]*advanced electronic signature', verify)
    assert FISCAL_CODE not in verify
    pact_page = public.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert re.search(r'id="pact-level">[^<]*advanced electronic signature', pact_page)
    download = public.get(f"/documents/{rows['legal'].signed_file_sha256}.pdf")
    assert download.status_code == 200 and download.get_data() == p7m
    assert download.mimetype == "application/pkcs7-mime"
    opendata = csv.DictReader(
        io.StringIO(public.get("/open-data/pacts.csv").get_data(as_text=True))
    )
    assert {r["id"]: r["signature_level"] for r in opendata}[str(p.id)] == "advanced"
    case = rep.get(url).get_data(as_text=True)
    assert re.search(r'id="pact-level">[^<]*advanced electronic signature', case)
    # The case's history says how each party signed.
    assert "Qualified electronic signature, with their own certificate." in case
    assert "Advanced electronic signature, with their own certificate." in case
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    # The auditors' bundle carries the files as signed and the levels, and checks offline.
    bundle = tmp_path / "bundle.zip"
    result = runner.invoke(args=["audit", "export", "--format", "zip", "-o", str(bundle)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(bundle) as zf:
        assert zf.read(f"documents/{rows['legal'].signed_file_sha256}.p7m") == p7m
        assert zf.read(f"documents/{rows['representative'].signed_file_sha256}.pdf") == signed_pdf
        signed_rows = list(csv.DictReader(io.TextIOWrapper(zf.open("signatures.csv"))))
    assert {r["signer_role"]: r["level"] for r in signed_rows} == {
        "representative": "qualified",
        "legal": "advanced",
    }
    result = runner.invoke(args=["audit", "verify-bundle", str(bundle)])
    assert result.exit_code == 0, result.output


def _trusted_list(services: list[tuple[str, str, bytes]]) -> bytes:
    body = "".join(
        f"""<TrustServiceProvider><TSPServices><TSPService><ServiceInformation>
        <ServiceTypeIdentifier>{kind}</ServiceTypeIdentifier>
        <ServiceStatus>{status}</ServiceStatus>
        <ServiceDigitalIdentity><DigitalId><X509Certificate>{base64.b64encode(der).decode()}
        </X509Certificate></DigitalId></ServiceDigitalIdentity>
        </ServiceInformation></TSPService></TSPServices></TrustServiceProvider>"""
        for kind, status, der in services
    )
    return (
        '<?xml version="1.0"?><TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#">'
        f"<TrustServiceProviderList>{body}</TrustServiceProviderList></TrustServiceStatusList>"
    ).encode()


def test_the_eu_trusted_list_loads_its_qualified_cas_into_the_folder(app, runner, pki, tmp_path):
    from commons.documents.trusted_list import CA_QC, GRANTED

    app.config["TRUST_ROOTS"] = str(tmp_path / "roots")
    der = pki["ca"].certificate.public_bytes(serialization.Encoding.DER)
    other = TestCA("Withdrawn CA").certificate.public_bytes(serialization.Encoding.DER)
    tsa = TestCA("Time Stamping").certificate.public_bytes(serialization.Encoding.DER)
    xml = tmp_path / "IT.xml"
    xml.write_bytes(
        _trusted_list(
            [
                (CA_QC, GRANTED, der),
                (CA_QC, "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn", other),
                ("http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST", GRANTED, tsa),
            ]
        )
    )
    result = runner.invoke(args=["pacts", "trust-roots", str(xml)])
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output and "Commons Test Root CA" in result.output
    assert "Withdrawn CA" not in result.output and "Time Stamping" not in result.output
    again = runner.invoke(args=["pacts", "trust-roots", str(xml)])
    assert "0 added, 1 kept" in again.output
    xml.write_text("<not-a-list/>")
    refused = runner.invoke(args=["pacts", "trust-roots", str(xml)])
    assert refused.exit_code != 0 and "not an ETSI trusted list" in refused.output
