"""Checkpoints of the audit chain head: made, sealed, witnessed outside the database, read back.

``make_checkpoint`` records the head (seq, hash, now) in ``audit_checkpoints``, signed with the
city's seal key (``SIGNING_P12``) when one is configured, and appends it as one JSON line to
the witness file (``CHECKPOINT_FILE``, default ``instance/checkpoints.jsonl``). ``commons tick``
and every export make one; a head that has not moved is not checkpointed again.

The rules (what is signed, how a chain is compared) are in :mod:`commons.audit.witness`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from commons.audit import witness
from commons.audit.models import AuditChainHead, AuditCheckpoint
from commons.db import utcnow
from commons.extensions import db

TABLE_SOURCE = "the registry's checkpoint table"


class Seal:
    """The city's seal key and certificate, as checkpoints use them."""

    def __init__(self, private_key, certificate):
        from cryptography.hazmat.primitives.serialization import Encoding

        self.private_key = private_key
        self.certificate = certificate
        self.pem = certificate.public_bytes(Encoding.PEM).decode()
        self.sha256 = witness.certificate_sha256(certificate.public_bytes(Encoding.DER))


@lru_cache(maxsize=4)
def _load_seal(path: str, password: str, _mtime: float) -> Seal:
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, certificate, _chain = pkcs12.load_key_and_certificates(
        Path(path).read_bytes(), password.encode() or None
    )
    if key is None or certificate is None:
        raise ValueError(f"{path} holds no key and certificate")
    return Seal(key, certificate)


def configured_seal() -> Seal | None:
    """The seal of ``SIGNING_P12``, or None when none is configured or it cannot be read
    (logged: checkpoints are then made unsigned, and say so)."""
    path = current_app.config.get("SIGNING_P12")
    if not path:
        return None
    try:
        return _load_seal(
            str(path),
            current_app.config.get("SIGNING_P12_PASSWORD") or "",
            os.stat(path).st_mtime,
        )
    except (OSError, ValueError) as error:
        current_app.logger.error("checkpoints are not sealed: cannot read %s (%s)", path, error)
        return None


def witness_path() -> Path:
    configured = current_app.config.get("CHECKPOINT_FILE")
    if configured:
        return Path(configured)
    return Path(current_app.config["INSTANCE_DIR"]) / "checkpoints.jsonl"


def as_checkpoint(row: AuditCheckpoint, source: str = TABLE_SOURCE) -> witness.Checkpoint:
    return witness.Checkpoint(
        row.seq,
        row.hash,
        witness.made_at_text(row.made_at),
        row.signature,
        row.algorithm,
        row.certificate_sha256,
        source,
    )


def _head(session) -> tuple[int, str] | None:
    head = AuditChainHead.__table__
    found = session.execute(select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
    return (found[0], found[1]) if found else None


class Made(NamedTuple):
    checkpoint: AuditCheckpoint | None
    made: bool
    # Why the witness file could not be written (the checkpoint is in the table all the same).
    witness_error: str | None = None


def make_checkpoint(
    seq: int | None = None, hash_: str | None = None, *, now=None, session=None
) -> Made:
    """Checkpoint the chain head (or the given seq and hash); the caller commits.

    Returns the checkpoint and whether it was made now: the existing one and False when that
    seq already has one (the head has not moved), None for an empty chain.
    """
    session = session if session is not None else db.session
    if seq is None:
        head = _head(session)
        if head is None:
            return Made(None, False)
        seq, hash_ = head
    if seq == 0:
        return Made(None, False)
    existing = session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.seq == seq))
    if existing is not None:
        return Made(existing, False)
    made_at = now or utcnow()
    values = {"seq": seq, "hash": hash_, "made_at": made_at}
    seal = configured_seal()
    if seal is not None:
        data = witness.signed_bytes(seq, hash_, witness.made_at_text(made_at))
        signature, algorithm = witness.sign(seal.private_key, data)
        values.update(
            signature=signature,
            algorithm=algorithm,
            certificate_sha256=seal.sha256,
            certificate=seal.pem,
        )
    connection = session.connection()
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    # Two processes checkpointing the same head at once: one row (the other keeps its own).
    table = AuditCheckpoint.__table__
    inserted = connection.execute(
        dialect_insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["seq"])
        .returning(table.c.id)
    ).first()
    row = session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.seq == seq))
    if inserted is None:
        return Made(row, False)
    return Made(row, True, _witness(as_checkpoint(row, source="")))


def _witness(checkpoint: witness.Checkpoint) -> str | None:
    """Append the checkpoint to the witness file, synced to disk; or say why not."""
    path = witness_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(witness.json_line(checkpoint))
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as error:
        current_app.logger.error("checkpoint %s not written to %s: %s", checkpoint.seq, path, error)
        return f"not written to the witness file {path}: {error}"
    return None


def table_checkpoints(session=None, upto_seq: int | None = None) -> list[AuditCheckpoint]:
    session = session if session is not None else db.session
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.seq)
    if upto_seq is not None:
        stmt = stmt.where(AuditCheckpoint.seq <= upto_seq)
    return list(session.scalars(stmt))


def witness_checkpoints() -> list[witness.Checkpoint]:
    """The witness file's checkpoints (none when it does not exist yet)."""
    path = witness_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return witness.parse(text, f"the witness file {path}")


def known_checkpoints(extra: list[witness.Checkpoint] = (), session=None) -> list:
    """Every checkpoint this registry knows: its table, its witness file, and ``extra``."""
    rows = [as_checkpoint(row) for row in table_checkpoints(session)]
    return [*rows, *witness_checkpoints(), *extra]


def trusted_certificates(session=None) -> dict:
    """The certificates a checkpoint's signature may verify with, by SHA-256.

    With a seal configured, its certificate and those of the seals the city used before
    (``COMMONS_PREVIOUS_SEALS``, kept after a key rotation): a checkpoint signed with any other
    key is reported. Without one, the certificates stored with the checkpoints (a self-check
    only).
    """
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    seal = configured_seal()
    if seal is not None:
        trusted = {seal.sha256: seal.certificate}
        for path in current_app.config.get("PREVIOUS_SEALS") or ():
            try:
                data = Path(path).read_bytes()
                certificate = (
                    x509.load_pem_x509_certificate(data)
                    if b"-----BEGIN" in data
                    else x509.load_der_x509_certificate(data)
                )
            except (OSError, ValueError):
                current_app.logger.warning("a previous seal certificate cannot be read: %s", path)
                continue
            der = certificate.public_bytes(Encoding.DER)
            trusted[witness.certificate_sha256(der)] = certificate
        return trusted
    found = {}
    for row in table_checkpoints(session):
        if row.certificate and row.certificate_sha256 not in found:
            found[row.certificate_sha256] = x509.load_pem_x509_certificate(row.certificate.encode())
    return found


def published_csv(session) -> str:
    """The public list (open data): every checkpoint, oldest first."""
    return witness.csv_text(as_checkpoint(row, "") for row in table_checkpoints(session))


def certificates_pem(rows) -> str:
    """The distinct certificates of checkpoint rows, as PEM text."""
    seen: dict[str, str] = {}
    for row in rows:
        if row.certificate and row.certificate_sha256:
            seen.setdefault(row.certificate_sha256, row.certificate)
    return "".join(seen.values())
