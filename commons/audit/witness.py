"""The pure rules of chain checkpoints: no Flask, no database.

A checkpoint records the audit chain's head at a moment: the event ``seq``, that event's
``hash`` and the time it was made (``made_at``). Kept outside the database (a witness file,
the published open-data list, every evidence bundle), it lets a rewrite of the chain be seen
even when every hash in the database was recomputed: the rewritten chain no longer has that
hash at that seq, or no longer has that many events.

A checkpoint is signed with the city's seal key when one is configured: the signature covers
the canonical JSON of ``{"hash", "made_at", "seq"}`` (RSA PKCS#1 v1.5 with SHA-256, or ECDSA
with SHA-256, as the key is), and the certificate is named by the SHA-256 of its DER bytes.

Shared by the registry (commons.audit.checkpoints) and the offline bundle verifier
(commons.audit.bundle). Signatures are checked with ``cryptography`` when it is installed; the
chain comparison needs nothing but the standard library.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

if __package__:
    from commons.audit.chain import canonical_json
else:  # loaded by bundle.py run as a script: load the sibling chain.py
    import importlib.util
    from pathlib import Path

    _spec = importlib.util.spec_from_file_location("chain", Path(__file__).with_name("chain.py"))
    _chain = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_chain)
    canonical_json = _chain.canonical_json

COLUMNS = ["seq", "hash", "made_at", "signature", "algorithm", "certificate_sha256"]
RSA = "rsa-pkcs1v15-sha256"
ECDSA = "ecdsa-sha256"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    made_at: str  # ISO 8601 with microseconds and UTC offset
    signature: str | None = None  # base64
    algorithm: str | None = None
    certificate_sha256: str | None = None
    source: str = ""  # where it was read: "the registry", a file name...

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in COLUMNS}

    def when(self) -> str:
        """The moment it was made, for a sentence: ``2026-11-03 10:00 UTC``."""
        try:
            moment = datetime.fromisoformat(self.made_at)
        except ValueError:
            return self.made_at
        return moment.strftime("%Y-%m-%d %H:%M UTC")

    def key(self) -> tuple:
        return (self.seq, self.hash, self.made_at, self.signature)


def made_at_text(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def signed_bytes(seq: int, hash_: str, made_at: str) -> bytes:
    """What the signature covers."""
    return canonical_json({"hash": hash_, "made_at": made_at, "seq": seq})


def certificate_sha256(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def sign(private_key, data: bytes) -> tuple[str, str]:
    """(base64 signature, algorithm) of ``data`` with an RSA or EC private key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    if isinstance(private_key, rsa.RSAPrivateKey):
        raw, algorithm = private_key.sign(data, padding.PKCS1v15(), hashes.SHA256()), RSA
    elif isinstance(private_key, ec.EllipticCurvePrivateKey):
        raw, algorithm = private_key.sign(data, ec.ECDSA(hashes.SHA256())), ECDSA
    else:
        raise ValueError(f"a seal key of type {type(private_key).__name__} cannot sign checkpoints")
    return base64.b64encode(raw).decode(), algorithm


def load_certificates(pem: bytes) -> dict:
    """The certificates in PEM text, by the SHA-256 of their DER bytes."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    found = {}
    for certificate in x509.load_pem_x509_certificates(pem) if pem.strip() else []:
        found[certificate_sha256(certificate.public_bytes(Encoding.DER))] = certificate
    return found


def signature_problem(checkpoint: Checkpoint, certificates: dict) -> str | None:
    """Why a signed checkpoint's signature cannot be trusted, as a sentence; None if it
    verifies with the certificate it names (among ``certificates``) or it is unsigned."""
    if not checkpoint.signature:
        return None
    intro = f"checkpoint of {checkpoint.when()} (event {checkpoint.seq}"
    intro += f", {checkpoint.source})" if checkpoint.source else ")"
    certificate = certificates.get(checkpoint.certificate_sha256 or "")
    if certificate is None:
        return (
            f"{intro} is signed with certificate {checkpoint.certificate_sha256}, "
            "which is not the city's seal certificate"
        )
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, padding
    except ImportError:  # pragma: no cover - cryptography comes with the registry
        return None
    data = signed_bytes(checkpoint.seq, checkpoint.hash, checkpoint.made_at)
    key = certificate.public_key()
    try:
        raw = base64.b64decode(checkpoint.signature, validate=True)
        if checkpoint.algorithm == RSA:
            key.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
        elif checkpoint.algorithm == ECDSA:
            key.verify(raw, data, ec.ECDSA(hashes.SHA256()))
        else:
            return f"{intro} names an unknown signature algorithm {checkpoint.algorithm!r}"
    except (InvalidSignature, ValueError, TypeError, AttributeError):
        return (
            f"{intro} has a signature that does not verify with the seal certificate "
            f"{checkpoint.certificate_sha256[:16]}… (forged or altered)"
        )
    return None


# --- reading and writing lists ------------------------------------------------------------


def _cell(value) -> str:
    return "" if value is None else str(value)


def csv_text(checkpoints: Iterable[Checkpoint]) -> str:
    """The list as CSV (RFC 4180, CRLF), a header then one row per checkpoint."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for checkpoint in checkpoints:
        writer.writerow([_cell(v) for v in checkpoint.as_dict().values()])
    return buffer.getvalue()


def json_line(checkpoint: Checkpoint) -> str:
    return canonical_json(checkpoint.as_dict()).decode() + "\n"


class ListError(ValueError):
    """A checkpoint list that cannot be read, naming the line."""


def _from_values(values: dict, source: str, where: str) -> Checkpoint:
    try:
        seq = int(values["seq"])
        hash_ = str(values["hash"])
        made_at = str(values["made_at"])
    except (KeyError, TypeError, ValueError):
        raise ListError(f"{where}: not a checkpoint (seq, hash, made_at)") from None
    if len(hash_) != 64 or seq < 1:
        raise ListError(f"{where}: not a checkpoint (seq {seq}, hash {hash_!r})")

    def optional(name):
        value = values.get(name)
        return str(value) if value not in (None, "") else None

    return Checkpoint(
        seq,
        hash_,
        made_at,
        optional("signature"),
        optional("algorithm"),
        optional("certificate_sha256"),
        source,
    )


def parse(text: str, source: str) -> list[Checkpoint]:
    """A checkpoint list as CSV (the open data, a bundle's checkpoints.csv) or JSON Lines (the
    witness file); ``source`` names it in reports."""
    stripped = text.lstrip("\ufeff")
    if stripped.lstrip().startswith("{"):
        found = []
        for number, line in enumerate(stripped.splitlines(), 1):
            if not line.strip():
                continue
            try:
                values = json.loads(line)
            except ValueError:
                raise ListError(f"{source} line {number}: not JSON") from None
            if not isinstance(values, dict):
                raise ListError(f"{source} line {number}: not a JSON object")
            found.append(_from_values(values, source, f"{source} line {number}"))
        return found
    reader = csv.DictReader(io.StringIO(stripped, newline=""))
    if reader.fieldnames is None:
        return []
    if not {"seq", "hash", "made_at"} <= set(reader.fieldnames):
        raise ListError(f"{source}: not a checkpoint list (header {reader.fieldnames!r})")
    return [_from_values(row, source, f"{source} line {reader.line_num}") for row in reader]


def read_location(location: str) -> list[Checkpoint]:
    """A downloaded or published checkpoint list: a file, or an http(s) address."""
    if location.startswith(("http://", "https://")):
        from urllib.request import urlopen

        with urlopen(location, timeout=30) as response:  # noqa: S310 - the operator's address
            text = response.read().decode("utf-8")
    else:
        with open(location, encoding="utf-8") as fh:
            text = fh.read()
    return parse(text, location)


# --- comparing with a chain ---------------------------------------------------------------


def distinct(checkpoints: Iterable[Checkpoint]) -> list[Checkpoint]:
    """The checkpoints once each (the same one read from several places), in seq order."""
    seen: dict[tuple, Checkpoint] = {}
    for checkpoint in checkpoints:
        seen.setdefault(checkpoint.key(), checkpoint)
    return sorted(seen.values(), key=lambda c: (c.seq, c.made_at))


def _short(digest: str) -> str:
    return f"{digest[:12]}…"


class Matcher:
    """Compares a chain, fed event by event in seq order, with checkpoints.

    ``feed(seq, hash)`` for each event, then ``finish(count)``: the first contradiction as a
    sentence (the lowest seq a checkpoint disagrees at), or None.
    """

    def __init__(self, checkpoints: Iterable[Checkpoint]):
        self._pending = distinct(checkpoints)
        self._at = 0
        self.problem: str | None = None
        self.problem_seq: int | None = None
        self.checked = 0

    def feed(self, seq: int, hash_: str) -> None:
        pending = self._pending
        while self._at < len(pending) and pending[self._at].seq <= seq:
            checkpoint = pending[self._at]
            self._at += 1
            if checkpoint.seq != seq:
                continue  # the chain skips that seq: the chain check reports it
            self.checked += 1
            if checkpoint.hash != hash_ and self.problem is None:
                self.problem_seq = seq
                self.problem = (
                    f"{_intro(checkpoint)} says event {seq} has hash {_short(checkpoint.hash)}; "
                    f"the chain now has {_short(hash_)} there (rewritten)"
                )

    def finish(self, count: int) -> str | None:
        beyond = [c for c in self._pending[self._at :] if c.seq > count]
        if beyond and self.problem is None:
            checkpoint = max(beyond, key=lambda c: c.seq)
            self.problem_seq = checkpoint.seq
            self.problem = (
                f"{_intro(checkpoint)} says the chain had {checkpoint.seq} events; "
                f"it now has {count} (events removed)"
            )
        return self.problem


def _intro(checkpoint: Checkpoint) -> str:
    where = f" ({checkpoint.source})" if checkpoint.source else ""
    return f"checkpoint of {checkpoint.when()}{where}"


def compare(chain: Iterable[tuple[int, str]], checkpoints: Iterable[Checkpoint]) -> str | None:
    """``Matcher`` over a whole chain of (seq, hash): the first contradiction, or None."""
    matcher = Matcher(checkpoints)
    count = 0
    for seq, hash_ in chain:
        matcher.feed(seq, hash_)
        count = seq
    return matcher.finish(count)
