"""Signatures the parties make with their own tool: PAdES (a signed PDF) or CAdES (``.p7m``).

A party downloads the final PDF the registry issued, signs it with their smart card, token or
remote-signature service, and uploads the result. ``verify_signed_file`` checks, with pyHanko
and nothing fetched from the network:

- the original is byte for byte the issued final document: for PAdES the signed file starts
  with the issued bytes (the signature is an incremental update appended to them), for CAdES
  the content the ``.p7m`` envelops equals them;
- the signature is intact and covers that original (PAdES: the signed revision includes every
  issued byte, and nothing but the signature's own revision or validation data follows it);
- the signer's certificate chains to one of the trust roots (``COMMONS_TRUST_ROOTS``) and is
  valid now (expired, not yet valid: refused);
- who signed: the certificate subject and the fiscal number from ``serialNumber``
  ("TINIT-<codice fiscale>", ETSI EN 319 412-1).

The level is ``qualified`` when the certificate says it is a qualified certificate (QCStatement
QcCompliance, or an EU qualified-certificate policy QCP-n / QCP-n-qscd), else ``advanced``.
Anything else is refused with ``SignatureRefused``, whose message says why in words.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

import commons.documents.seal  # noqa: F401  (its filter keeps pyHanko's trust warnings short)

log = logging.getLogger(__name__)

SIMPLE, ADVANCED, QUALIFIED = "simple", "advanced", "qualified"
# Weakest first: a pact is as strong as its weakest signature.
LEVELS = (SIMPLE, ADVANCED, QUALIFIED)

# ETSI EN 319 411-2 policies for qualified certificates issued to natural persons (QCP-n) and
# on a qualified signature creation device (QCP-n-qscd); QCP-l, QCP-l-qscd for legal persons.
QUALIFIED_POLICIES = frozenset(
    {"0.4.0.194112.1.0", "0.4.0.194112.1.2", "0.4.0.194112.1.1", "0.4.0.194112.1.3"}
)
CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der")


class SignatureRefused(ValueError):
    """The uploaded file is not an acceptable signature of the issued document; says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Verified:
    """What the registry established about an uploaded signed file."""

    level: str  # advanced or qualified
    format: str  # "pades" or "cades"
    subject: str  # the certificate subject, as people read it
    common_name: str
    fiscal_number: str | None  # from serialNumber "TINIT-...", when present
    signed_at: datetime | None  # as the signer's tool reported it
    sha256: str  # of the uploaded file


def weakest(levels) -> str | None:
    """The weakest of the levels given (None when there are none)."""
    known = [level for level in levels if level in LEVELS]
    return min(known, key=LEVELS.index) if known else None


# --- trust roots ----------------------------------------------------------------------------


def trust_root_files(folder: str | Path | None) -> list[Path]:
    """The certificate files in the trust-roots folder, by name."""
    if not folder or not Path(folder).is_dir():
        return []
    return sorted(
        p
        for p in Path(folder).iterdir()
        if p.is_file() and p.suffix.lower() in CERTIFICATE_SUFFIXES
    )


def load_trust_roots(folder: str | Path | None) -> list:
    """Every certificate in the folder (a PEM file may hold several); unreadable files are
    logged and skipped, so one bad file does not stop signing for everyone."""
    files = trust_root_files(folder)
    stamp = tuple((str(p), _mtime(p)) for p in files)
    return list(_load_roots(stamp))


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


@lru_cache(maxsize=4)
def _load_roots(stamp: tuple) -> tuple:
    from pyhanko.keys import load_certs_from_pemder

    certificates = []
    for name, _changed in stamp:
        try:
            certificates.extend(load_certs_from_pemder([name]))
        except Exception:  # noqa: BLE001 - a malformed file: said in the log
            log.warning("trust root %s cannot be read as a PEM or DER certificate", name)
    return tuple(certificates)


# --- reading certificates -------------------------------------------------------------------


def fiscal_number_of(certificate) -> str | None:
    """The fiscal number in the subject's serialNumber: "TINIT-RSSMRA80A01H501U" gives
    "RSSMRA80A01H501U" (ETSI EN 319 412-1 semantics identifier); None when absent."""
    serial = (certificate.subject.native or {}).get("serial_number")
    if isinstance(serial, list):
        serial = serial[0] if serial else None
    if not serial:
        return None
    serial = str(serial).strip()
    if serial.upper().startswith("TIN") and "-" in serial:
        return serial.split("-", 1)[1].strip().upper() or None
    return None


def is_qualified(certificate) -> bool:
    """Whether the certificate declares itself qualified: QcCompliance, or a QCP policy."""
    from pyhanko.sign.ades.qualified_asn1 import get_qc_statements

    try:
        statements = get_qc_statements(certificate)
        if any(s["statement_id"].native == "qc_compliance" for s in statements):
            return True
        policies = certificate.certificate_policies_value
    except Exception:  # noqa: BLE001 - a malformed extension proves nothing
        return False
    if policies is None:
        return False
    return any(p["policy_identifier"].dotted in QUALIFIED_POLICIES for p in policies)


def _names(certificate) -> tuple[str, str]:
    subject = certificate.subject
    native = subject.native or {}
    common = native.get("common_name") or native.get("organization_name") or ""
    if isinstance(common, list):
        common = common[0] if common else ""
    return subject.human_friendly[:500], str(common)[:200]


# --- checking -------------------------------------------------------------------------------


def _validation_context(trust_roots: list, moment: datetime):
    from pyhanko_certvalidator import ValidationContext

    # Nothing is fetched: revocation is checked only if the file carries the information.
    return ValidationContext(
        trust_roots=list(trust_roots),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


def _refuse_untrusted(status, certificate, moment: datetime) -> None:
    """Say in words why a signature that is cryptographically sound is not accepted."""
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate

    if status.trusted and status.trust_problem_indic is None:
        return
    validity = certificate["tbs_certificate"]["validity"]
    not_after = validity["not_after"].native
    not_before = validity["not_before"].native
    indic = status.trust_problem_indic
    if indic in (AdESIndeterminate.EXPIRED, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE) or (
        not_after and not_after < moment
    ):
        raise SignatureRefused(
            _(
                "The signer's certificate expired on %(day)s: a signature made with it is no "
                "longer valid. Sign again with a valid certificate.",
                day=not_after.date().isoformat(),
            )
        )
    if indic in (AdESFailure.NOT_YET_VALID, AdESIndeterminate.NOT_YET_VALID) or (
        not_before and not_before > moment
    ):
        raise SignatureRefused(_("The signer's certificate is not valid yet."))
    if indic in (
        AdESFailure.REVOKED,
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
    ):
        raise SignatureRefused(_("The signer's certificate has been revoked."))
    raise SignatureRefused(
        _(
            "Unknown signer: the certificate (%(subject)s) was not issued by a certification "
            "authority this registry trusts.",
            subject=_names(certificate)[1] or _names(certificate)[0],
        )
    )


def _check_pades(data: bytes, issued: bytes, trust_roots: list, moment: datetime):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if not data.startswith(issued):
        raise SignatureRefused(
            _(
                "This PDF was not made from the final document issued for this pact: its "
                "original is a different document. Download the final PDF from this page, "
                "sign that file and upload it without changing it."
            )
        )
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception:  # noqa: BLE001 - an unreadable PDF
        raise SignatureRefused(_("The file cannot be read as a PDF.")) from None
    if not signatures:
        raise SignatureRefused(
            _("The PDF carries no digital signature: sign it with your signature tool first.")
        )
    embedded = signatures[-1]  # the newest: a file signed by several carries them in order
    byte_range = list(embedded.byte_range or ())
    if len(byte_range) != 4 or byte_range[0] != 0 or byte_range[2] + byte_range[3] < len(issued):
        raise SignatureRefused(_("The signature does not cover the whole issued document."))
    status = _intact(
        lambda: validate_pdf_signature(
            embedded, signer_validation_context=_validation_context(trust_roots, moment)
        )
    )
    # After the signature only validation data (or nothing) may follow: anything else would
    # show the reader something the signer did not sign.
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and not status.docmdp_ok:
        raise SignatureRefused(
            _("Something was added to the PDF after it was signed: upload the file as signed.")
        )
    _refuse_untrusted(status, status.signing_cert, moment)
    return status.signing_cert, status.signer_reported_dt


def _intact(validate):
    """The status ``validate()`` (a pyHanko validation) gives; a damaged container or a
    signature that is not intact and valid is refused in one sentence."""
    broken = _("The signature is broken: the file was changed after it was signed.")
    try:
        status = validate()
    except Exception:  # noqa: BLE001 - a damaged signature container
        raise SignatureRefused(broken) from None
    if not (status.intact and status.valid):
        raise SignatureRefused(broken)
    return status


def _cms_of(data: bytes):
    from asn1crypto import cms

    candidates = [data]
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        text = b"".join(line for line in text.splitlines() if not line.startswith(b"-----"))
    try:
        # Some tools save the .p7m in base64; the envelope is the same.
        candidates.append(base64.b64decode(text, validate=False))
    except (binascii.Error, ValueError):
        pass
    for candidate in candidates:
        try:
            info = cms.ContentInfo.load(candidate)
            if info["content_type"].native == "signed_data":
                return info["content"]
        except Exception:  # noqa: BLE001, S112 - not this encoding: try the next
            continue
    return None


def _check_cades(data: bytes, issued: bytes, trust_roots: list, moment: datetime):
    import asyncio

    from pyhanko.sign.validation import async_validate_cms_signature

    signed_data = _cms_of(data)
    if signed_data is None:
        raise SignatureRefused(
            _("The file is neither a signed PDF nor a CAdES envelope (.p7m) that can be read.")
        )
    content = signed_data["encap_content_info"]["content"]
    content = content.native if content is not None else None
    if content is None:
        raise SignatureRefused(
            _(
                "This .p7m holds a detached signature without the document: sign in enveloping "
                "mode (the .p7m that contains the PDF)."
            )
        )
    if content != issued:
        raise SignatureRefused(
            _(
                "The document inside this .p7m is not the final document issued for this pact: "
                "it is a different document. Sign the final PDF downloaded from this page."
            )
        )
    status = _intact(
        lambda: asyncio.run(
            async_validate_cms_signature(
                signed_data, validation_context=_validation_context(trust_roots, moment)
            )
        )
    )
    _refuse_untrusted(status, status.signing_cert, moment)
    signed_at = None
    try:
        from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

        signed_at = extract_self_reported_ts(signed_data["signer_infos"][0])
    except Exception:  # noqa: BLE001 - no signing time: none reported
        signed_at = None
    return status.signing_cert, signed_at


def verify_signed_file(
    data: bytes, issued: bytes, trust_roots: list, *, now: datetime | None = None
) -> Verified:
    """Check an uploaded signed file against the issued final PDF; see the module's docstring.

    Raises SignatureRefused, saying why, for anything that is not a sound signature of
    exactly that document by a certificate the trust roots vouch for.
    """
    moment = now or datetime.now(UTC)
    if not data:
        raise SignatureRefused(_("The file is empty."))
    if not trust_roots:
        raise SignatureRefused(
            _(
                "This registry has no trusted certification authorities configured yet, so it "
                "cannot check signatures made with your own tool. Sign with your password, or "
                "ask the administrator."
            )
        )
    if data.lstrip()[:5] == b"%PDF-":
        certificate, signed_at = _check_pades(data, issued, trust_roots, moment)
        kind = "pades"
    else:
        certificate, signed_at = _check_cades(data, issued, trust_roots, moment)
        kind = "cades"
    subject, common_name = _names(certificate)
    return Verified(
        level=QUALIFIED if is_qualified(certificate) else ADVANCED,
        format=kind,
        subject=subject,
        common_name=common_name,
        fiscal_number=fiscal_number_of(certificate),
        signed_at=signed_at.astimezone(UTC) if signed_at else None,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def same_fiscal_number(account_code: str | None, certificate_code: str | None) -> bool:
    """False only when both are known and differ (spaces and case aside)."""
    if not account_code or not certificate_code:
        return True
    return "".join(account_code.split()).upper() == "".join(certificate_code.split()).upper()
