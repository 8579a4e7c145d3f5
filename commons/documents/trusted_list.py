"""Certificates from an EU trusted list (ETSI TS 119 612 XML) into the trust-roots folder.

Each EU member state publishes a trusted list of its qualified trust service providers; the
European Commission's "list of the lists" points to them (https://eidas.ec.europa.eu/efda/tl-browser).
A city that accepts the parties' own signatures loads the certification authorities that issue
qualified certificates (service type ``CA/QC``) into ``COMMONS_TRUST_ROOTS``; by default only
services whose current status is "granted". The XML signature of the list itself is not
checked here: download the list from the official address over HTTPS (docs/admins.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path

from defusedxml import ElementTree

NS = "{http://uri.etsi.org/02231/v2#}"
CA_QC = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
GRANTED = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"


def certificates_from_trusted_list(xml: bytes, *, granted_only: bool = True) -> list[bytes]:
    """The DER certificates of the list's CA/QC services (granted ones by default), once each.

    Raises ValueError when the file is not a trusted list that can be read.
    """
    try:
        root = ElementTree.fromstring(xml)
    except Exception as error:  # noqa: BLE001 - malformed or hostile XML: say so
        raise ValueError(f"not readable XML: {error}") from None
    if not root.tag.endswith("TrustServiceStatusList"):
        raise ValueError("not an ETSI trusted list (no TrustServiceStatusList)")
    found: dict[str, bytes] = {}
    for info in root.iter(f"{NS}ServiceInformation"):
        kind = (info.findtext(f"{NS}ServiceTypeIdentifier") or "").strip()
        status = (info.findtext(f"{NS}ServiceStatus") or "").strip()
        if kind != CA_QC or (granted_only and status != GRANTED):
            continue
        for element in info.iter(f"{NS}X509Certificate"):
            try:
                der = base64.b64decode("".join((element.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                continue
            if der:
                found.setdefault(hashlib.sha256(der).hexdigest(), der)
    return list(found.values())


def write_trust_roots(folder: str | Path, certificates: list[bytes]) -> tuple[int, int]:
    """Write each certificate as ``tl-<sha256 prefix>.der``; returns (added, already there)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    added = kept = 0
    for der in certificates:
        path = folder / f"tl-{hashlib.sha256(der).hexdigest()[:16]}.der"
        if path.exists():
            kept += 1
            continue
        path.write_bytes(der)
        added += 1
    return added, kept
