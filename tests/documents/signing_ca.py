"""A certification authority made by the tests, and the parties' own signing tools.

``TestCA`` is a root with, under it, a qualified signer certificate (QCStatement QcCompliance,
serialNumber "TINIT-<fiscal code>") and an advanced one (neither); ``pades`` and ``cades``
sign a PDF as the parties' tools do (PAdES incremental update, CAdES enveloping ``.p7m``).
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier
from pyhanko.keys import load_private_key_from_pemder_data
from pyhanko.sign import signers
from pyhanko.sign.ades.qualified_asn1 import QcStatements
from pyhanko_certvalidator.registry import SimpleCertificateStore

QC_STATEMENTS = ObjectIdentifier("1.3.6.1.5.5.7.1.3")


@dataclass
class Party:
    """A certificate and its key, ready to sign with pyHanko."""

    signer: signers.SimpleSigner
    certificate: x509.Certificate


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, *, serial: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attributes)


class TestCA:
    """A root CA (self-signed) that issues signer certificates."""

    __test__ = False  # not a test class, for pytest

    def __init__(self, name: str = "Commons Test Root CA"):
        self.key = _key()
        now = datetime.now(UTC)
        subject = _name(name)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=365))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )

    def write_root(self, folder: Path, name: str = "root.pem") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        return path

    def issue(
        self,
        common_name: str,
        *,
        fiscal_code: str | None = None,
        qualified: bool = False,
        expired: bool = False,
    ) -> Party:
        key = _key()
        now = datetime.now(UTC)
        # Valid over the tests' fixed scenario time (June 2026) and today; an expired one ended
        # before both.
        start, end = (
            (now - timedelta(days=1500), now - timedelta(days=1000))
            if expired
            else (now - timedelta(days=1000), now + timedelta(days=365))
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(
                _name(common_name, serial=f"TINIT-{fiscal_code}" if fiscal_code else None)
            )
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        )
        if qualified:
            statements = QcStatements([{"statement_id": "qc_compliance"}]).dump()
            builder = builder.add_extension(
                x509.UnrecognizedExtension(QC_STATEMENTS, statements), critical=False
            )
        certificate = builder.sign(self.key, hashes.SHA256())
        pem_key = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        signer = signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(
                certificate.public_bytes(serialization.Encoding.DER)
            ),
            signing_key=load_private_key_from_pemder_data(pem_key, passphrase=None),
            cert_registry=SimpleCertificateStore.from_certs(
                [
                    asn1_x509.Certificate.load(
                        self.certificate.public_bytes(serialization.Encoding.DER)
                    )
                ]
            ),
        )
        return Party(signer=signer, certificate=certificate)


def pades(pdf: bytes, party: Party, field: str = "Signature1") -> bytes:
    """The PDF signed as a signature tool does: PAdES B-B in an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigSeedSubFilter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256"
    )
    return signers.sign_pdf(writer, meta, signer=party.signer).getvalue()


def cades(data: bytes, party: Party) -> bytes:
    """The file enveloped in a CAdES signature, as a ``.p7m`` (DER)."""
    signed = asyncio.run(
        party.signer.async_sign_general_data(data, "sha256", detached=False, use_cades=True)
    )
    return signed.dump()
