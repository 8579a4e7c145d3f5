"""The city's electronic seal on signed pacts: a PAdES signature made with pyHanko.

When ``COMMONS_SIGNING_P12`` names a PKCS#12 file, the signed pact PDF gets a PAdES B-B
signature (``/ETSI.CAdES.detached``, SHA-256, no timestamp server: nothing goes on the network)
in an incremental update, field ``CitySeal``.

Reproducibility. Sealing the same PDF with the same key at the same ``signed_at`` gives the same
bytes, so the hash recorded for a sealed document stays meaningful:

- the signing time (the signature dictionary's ``/M``) is ``signed_at``, not the clock; a PAdES
  signature carries no CMS ``signingTime`` attribute;
- the modification time pyHanko writes (``/Info`` ``/ModDate``, XMP ``xmp:ModifyDate``) is
  ``signed_at`` too;
- the trailer ``/ID`` (random in pyHanko) is derived from the input's hash and ``signed_at``,
  except its first half when the original has one: that stays, as the PDF standard requires;
- the signature is RSA PKCS#1 v1.5, which is deterministic. An ECDSA (or RSA-PSS) key still
  seals, but then every sealing gives different bytes: the demo certificate is RSA for this.

This relies on pyHanko internals (the writer's ``_meta`` and ``_document_id``, the signing
session's ``system_time``); pyHanko is pinned, and a test seals twice and compares the bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

SEAL_FIELD = "CitySeal"
DEMO_SEAL_FILE = "demo-seal.p12"


class _NoTraceback(logging.Filter):
    """pyHanko logs a certificate it cannot trust with a full traceback; on a public /verify
    page that is an ordinary answer, not a server fault: keep the one-line warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


logging.getLogger("pyhanko.sign.validation.generic_cms").addFilter(_NoTraceback())


class SealError(RuntimeError):
    """The configured seal cannot be used (missing file, wrong password, unreadable key)."""


# --- certificates -------------------------------------------------------------------------


def create_demo_certificate(path: str | Path, city_name: str, password: str = "") -> Path:
    """Write a self-signed RSA seal certificate and key as PKCS#12 at ``path`` (kept if present).

    Demo only: anyone can make such a certificate, so it proves nothing to a third party. An
    empty password writes the key unencrypted (the file is created owner-only, like the
    generated secret key).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    path = Path(path)
    if path.exists():
        return path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"{city_name} (demo seal, not valid for legal use)"[:64]
            ),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, city_name[:64] or "Commons"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # The demo city's pacts were signed up to a few years back: cover them.
        .not_valid_before(now - timedelta(days=3 * 365))
        .not_valid_after(now + timedelta(days=10 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
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
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        b"commons-demo-seal", key, certificate, None, encryption
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    return path


def ensure_demo_seal(config, echo=print) -> Path:
    """For ``commons demo``: create ``instance/demo-seal.p12`` and seal with it in this run.

    A configured ``SIGNING_P12`` is left alone. Otherwise the demo certificate is used for this
    run only, and the admin is told how to keep sealing (and trusting the seal) when serving.
    """
    path = create_demo_certificate(
        Path(config["INSTANCE_DIR"]) / DEMO_SEAL_FILE,
        config.get("CITY_NAME") or "Demo City",
        config.get("SIGNING_P12_PASSWORD") or "",
    )
    if not config.get("SIGNING_P12"):
        config["SIGNING_P12"] = str(path)
        echo(
            f"Signed demo pacts are sealed with the demo certificate {path}; to seal and check "
            f"the seal when serving, set COMMONS_SIGNING_P12={path}"
        )
    return path


@lru_cache(maxsize=8)
def _load_signer(p12_path: str, password: str, _mtime: float):
    from pyhanko.sign import signers

    if not Path(p12_path).is_file():
        raise SealError(f"seal certificate {p12_path} not found (COMMONS_SIGNING_P12)")
    signer = signers.SimpleSigner.load_pkcs12(p12_path, passphrase=password.encode() or None)
    if signer is None or signer.signing_cert is None:
        raise SealError(
            f"cannot read the key and certificate in {p12_path}: check COMMONS_SIGNING_P12_PASSWORD"
        )
    return signer


def load_signer(p12_path: str | Path, password: str = ""):
    """The pyHanko signer for a PKCS#12 file (cached until the file changes)."""
    p12_path = str(p12_path)
    return _load_signer(p12_path, password or "", _mtime(p12_path))


def configured_certificates() -> list:
    """The seals the city vouches for, as trust anchors: the configured seal's certificate,
    then those of the seals it used before (``COMMONS_PREVIOUS_SEALS``, kept after a key
    rotation so earlier pacts still verify). Unreadable ones are logged and left out."""
    from flask import current_app

    certificates = []
    path = current_app.config.get("SIGNING_P12")
    if path:
        try:
            signer = load_signer(path, current_app.config.get("SIGNING_P12_PASSWORD") or "")
        except SealError:
            current_app.logger.warning("the configured seal certificate cannot be read: %s", path)
        else:
            certificates.append(signer.signing_cert)
    for previous in current_app.config.get("PREVIOUS_SEALS") or ():
        try:
            certificates.append(_load_certificate(previous, _mtime(previous)))
        except Exception:  # noqa: BLE001 - a missing or malformed file: said in the log
            current_app.logger.warning("a previous seal certificate cannot be read: %s", previous)
    return certificates


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


@lru_cache(maxsize=16)
def _load_certificate(path: str, _mtime: float):
    from pyhanko.keys import load_cert_from_pemder

    return load_cert_from_pemder(path)


# --- sealing ------------------------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _writer_class():
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata.model import DocumentMetadata

    class FixedTimeMetadata(DocumentMetadata):
        """Document metadata whose modification time "now" is the sealing time."""

        fixed_time: datetime | None = None  # a plain class attribute, not a dataclass field

        def __setattr__(self, name, value):
            # pyHanko's writer sets ``last_modified = "now"`` just before writing /Info and XMP.
            if name == "last_modified" and value == "now" and self.fixed_time is not None:
                value = self.fixed_time
            super().__setattr__(name, value)

    class FixedTimeWriter(IncrementalPdfFileWriter):
        """An incremental writer with a fixed modification time and a derived (not random) /ID."""

        def __init__(self, data: bytes, moment: datetime):
            super().__init__(io.BytesIO(data), strict=False)
            meta = FixedTimeMetadata()
            meta.fixed_time = moment
            self._meta = meta
            digest = hashlib.sha256(data + moment.isoformat().encode()).digest()
            # The original's first /ID half stays (pyHanko keeps it); one it made up is replaced.
            id1 = self._document_id[0] if "/ID" in self.prev.trailer else digest[16:]
            self._document_id = generic.ArrayObject(
                [generic.ByteStringObject(bytes(id1)), generic.ByteStringObject(digest[:16])]
            )

    return FixedTimeWriter


def _signer_class():
    from pyhanko.sign.signers import PdfSigner

    class FixedTimeSigner(PdfSigner):
        """A PdfSigner whose signing time is given, not read from the clock."""

        def __init__(self, *args, signing_time: datetime, **kwargs):
            super().__init__(*args, **kwargs)
            self._signing_time = signing_time

        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = self._signing_time
            return session

    return FixedTimeSigner


def apply_seal(
    pdf_bytes: bytes,
    p12_path: str | Path,
    password: str = "",
    *,
    signed_at: datetime,
    reason: str,
    location: str,
) -> bytes:
    """Return ``pdf_bytes`` with a PAdES B-B seal appended (incremental update, field CitySeal)."""
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata

    signer = load_signer(p12_path, password)
    moment = _as_utc(signed_at).replace(microsecond=0)
    writer = _writer_class()(pdf_bytes, moment)
    meta = PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    output = _signer_class()(meta, signer=signer, signing_time=moment).sign_pdf(writer)
    return output.getvalue()


# --- checking -----------------------------------------------------------------------------

_SIGNATURE_MARKERS = (b"/ByteRange", b"/ETSI.CAdES.detached", b"/adbe.pkcs7")


def _broken(signer: str | None = None, signed_at: datetime | None = None) -> dict:
    return {
        "signer": signer,
        "valid_integrity": False,
        "trusted": False,
        "signed_at": signed_at,
        "coverage": None,
        "intact": False,
    }


def _common_name(certificate) -> str | None:
    try:
        subject = certificate.subject.native
    except Exception:  # noqa: BLE001 - a malformed certificate has no name to show
        return None
    return subject.get("common_name") or subject.get("organization_name")


def verify_seal(pdf_bytes: bytes, trusted: list | None = None) -> dict | None:
    """Check the seal (or first signature) of a PDF; None when it carries no signature.

    Returns ``{"signer", "valid_integrity", "trusted", "signed_at", "coverage", "intact"}``:
    ``valid_integrity``: the signature is sound and the signed bytes unchanged; ``coverage``:
    "entire file" or "partial" (something was appended after signing); ``intact``: both, i.e.
    not a byte changed or added after sealing; ``trusted``: the signer's certificate is one of
    ``trusted`` (default: the configured seal's certificate). Nothing is fetched: no revocation
    checks over the network.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if b"/ByteRange" not in pdf_bytes:
        return None  # every PDF signature has one, in plain text: quick way out
    looks_signed = any(marker in pdf_bytes for marker in _SIGNATURE_MARKERS)
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # noqa: BLE001 - any unreadable file: broken if it looked signed
        return _broken() if looks_signed else None
    if not signatures:
        return _broken() if b"/ETSI.CAdES.detached" in pdf_bytes else None
    embedded = next((s for s in signatures if s.field_name == SEAL_FIELD), signatures[0])
    try:
        signed_at = embedded.self_reported_timestamp
        signer_name = _common_name(embedded.signer_cert)
    except Exception:  # noqa: BLE001 - a damaged signature container
        return _broken()
    if trusted is None:
        trusted = configured_certificates()
    context = ValidationContext(
        trust_roots=list(trusted), allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        # No diff analysis: coverage tells whether anything was added, which is all we report.
        status = validate_pdf_signature(embedded, signer_validation_context=context, skip_diff=True)
    except Exception:  # noqa: BLE001 - any failure to validate is a broken seal
        return _broken(signer_name, signed_at)
    valid = bool(status.intact and status.valid)
    coverage = status.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        covers = "entire file"
    elif coverage is None:
        covers = None
    else:
        covers = "partial"
    signed_at = status.signer_reported_dt or signed_at
    return {
        "signer": signer_name,
        "valid_integrity": valid,
        "trusted": bool(valid and status.trusted),
        "signed_at": _as_utc(signed_at) if signed_at else None,
        "coverage": covers,
        "intact": valid and covers == "entire file",
    }
