"""Appending to the audit chain."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, text

from commons.audit.chain import (  # noqa: F401 - re-exported for compatibility
    GENESIS_HASH,
    canonical_json,
    event_fields,
    event_hash,
)
from commons.audit.models import AuditEvent
from commons.db import utcnow
from commons.extensions import db


def _lock_chain(session) -> None:
    """Serialise appends: one writer at a time extends the chain."""
    if session.get_bind().dialect.name == "postgresql":
        # Transaction-scoped advisory lock; released at commit or rollback.
        session.execute(text("SELECT pg_advisory_xact_lock(7411)"))
    # SQLite allows a single writer per database, which serialises appends already.


def append_event(
    trigger: str,
    *,
    actor=None,
    actor_role: str | None = None,
    proposal=None,
    from_state: str | None = None,
    to_state: str | None = None,
    payload: dict | None = None,
    public: bool = True,
    occurred_at: datetime | None = None,
    session=None,
) -> AuditEvent:
    """Append one event to the chain; the caller commits.

    The row is written with one Core INSERT (no ORM flush); the returned event is a detached
    copy for reading.
    """
    session = session if session is not None else db.session
    _lock_chain(session)
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    occurred_at = occurred_at or utcnow()
    payload = json.loads(canonical_json(payload or {}))
    fields = event_fields(
        seq,
        occurred_at,
        actor.id if actor else None,
        actor_role,
        proposal.id if proposal else None,
        trigger,
        from_state,
        to_state,
        payload,
        public,
        prev,
    )
    values = {
        "seq": seq,
        "occurred_at": occurred_at,
        "actor_id": fields["actor_id"],
        "actor_role": actor_role,
        "proposal_id": fields["proposal_id"],
        "trigger": trigger,
        "from_state": from_state,
        "to_state": to_state,
        "payload": payload,
        "public": public,
        "prev_hash": prev,
        "hash": event_hash(fields),
    }
    session.execute(insert(AuditEvent.__table__), [values])
    return AuditEvent(**values)


def count_events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@dataclass
class ChainReport:
    """The result of recomputing the chain: OK with count and head, or the first broken event."""

    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(session=None, batch_size: int = 10000) -> ChainReport:
    """Recompute every event's hash and link in order; stop at the first inconsistency.

    Streams the table in seq order with constant memory. For speed, the payload is read as its
    stored JSON text and, on PostgreSQL, the timestamp as its ISO text (the exact text
    ``event_fields`` gives), and each event's canonical JSON is written directly
    (:func:`commons.audit.chain.event_hash_of`, equal to ``event_hash(event_fields(...))``).
    """
    from sqlalchemy import Text, cast

    from commons.audit.chain import event_hash_of, payload_json

    session = session if session is not None else db.session
    table = AuditEvent.__table__
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        return _verify_chain_postgresql(session)
    occurred = (
        func.to_char(
            func.timezone("UTC", table.c.occurred_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'
        )
        if postgresql
        else table.c.occurred_at
    )
    columns = [
        table.c.seq,
        occurred,
        table.c.actor_id,
        table.c.actor_role,
        table.c.proposal_id,
        table.c.trigger,
        table.c.from_state,
        table.c.to_state,
        cast(table.c.payload, Text),
        table.c.public,
        table.c.prev_hash,
        table.c.hash,
    ]
    result = session.execute(
        select(*columns)
        .order_by(table.c.seq)
        .execution_options(stream_results=True, yield_per=batch_size)
    )
    expected_seq, prev, count = 1, GENESIS_HASH, 0
    for rows in result.partitions():
        for (
            seq,
            occurred_at,
            actor_id,
            actor_role,
            proposal_id,
            trigger,
            from_state,
            to_state,
            payload,
            public,
            prev_hash,
            stored_hash,
        ) in rows:
            if seq != expected_seq:
                result.close()
                # Name the event missing from its place: deleted, or its number altered.
                return ChainReport(
                    False,
                    count,
                    prev,
                    expected_seq,
                    f"event {expected_seq} is missing (the next one is {seq})",
                )
            if prev_hash != prev:
                result.close()
                return ChainReport(
                    False, count, prev, seq, "its previous-hash does not match the event before it"
                )
            digest = event_hash_of(
                seq,
                occurred_at if postgresql else occurred_at.isoformat(timespec="microseconds"),
                actor_id,
                actor_role,
                proposal_id,
                trigger,
                from_state,
                to_state,
                payload_json(payload),
                public,
                prev_hash,
            )
            if digest != stored_hash:
                result.close()
                return ChainReport(
                    False, count, prev, seq, "its content does not match its hash (altered)"
                )
            prev, expected_seq, count = stored_hash, expected_seq + 1, count + 1
    return ChainReport(True, count, prev)


def _verify_chain_postgresql(session) -> ChainReport:
    """``verify_chain`` on PostgreSQL: the server writes each event's canonical JSON around its
    payload (:mod:`commons.audit.pgfast`, the same rules as ``event_fields``/``canonical_json``,
    tests compare them) and Python hashes it, after making the payload canonical itself."""
    import hashlib

    from sqlalchemy import Text, cast

    from commons.audit import pgfast
    from commons.audit.chain import payload_json

    table = AuditEvent.__table__
    stmt = select(
        table.c.seq,
        table.c.prev_hash,
        table.c.hash,
        pgfast.column(pgfast.HASHED_HEAD),
        cast(table.c.payload, Text),
        pgfast.column(pgfast.HASHED_TAIL),
    ).order_by(table.c.seq)
    sha256 = hashlib.sha256
    cache: dict = {}
    expected_seq, prev, count = 1, GENESIS_HASH, 0
    for rows in pgfast.stream(stmt, session):
        for seq, prev_hash, stored_hash, head, raw, tail in rows:
            if seq != expected_seq:
                return ChainReport(
                    False,
                    count,
                    prev,
                    expected_seq,
                    f"event {expected_seq} is missing (the next one is {seq})",
                )
            if prev_hash != prev:
                return ChainReport(
                    False, count, prev, seq, "its previous-hash does not match the event before it"
                )
            # The stored payload text is canonical (CanonicalJSON) unless written before that
            # or altered: then its canonical form is what must hash right.
            if raw is None or sha256((head + raw + tail).encode()).hexdigest() != stored_hash:
                payload = cache.get(raw)
                if payload is None:
                    if len(cache) >= 50_000:
                        cache.clear()
                    payload = cache[raw] = payload_json(raw)
                digest = sha256((head + payload + tail).encode()).hexdigest()
            else:
                digest = stored_hash
            if digest != stored_hash:
                return ChainReport(
                    False, count, prev, seq, "its content does not match its hash (altered)"
                )
            prev, expected_seq, count = stored_hash, expected_seq + 1, count + 1
    return ChainReport(True, count, prev)
