"""Appending to the audit chain."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from commons.audit import personal
from commons.audit.chain import (  # noqa: F401 - re-exported for compatibility
    GENESIS_HASH,
    HASHED_FIELDS,
    canonical_json,
    event_fields,
    event_hash,
    hash_of,
)
from commons.audit.models import AuditChainHead, AuditEvent
from commons.db import utcnow
from commons.extensions import db

HEAD = AuditChainHead.__table__
EVENTS = AuditEvent.__table__
_READ_HEAD = select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1).with_for_update()
# Moving the head to the event just written ("e_" names: the event's parameters).
_MOVE_HEAD = (
    update(HEAD).where(HEAD.c.id == 1).values(seq=bindparam("e_seq"), hash=bindparam("e_hash"))
)
_INSERT_EVENT = insert(EVENTS)
# PostgreSQL: the INSERT and the head UPDATE in one statement (a data-modifying CTE).
_APPEND_AND_MOVE_HEAD = _MOVE_HEAD.add_cte(
    insert(EVENTS)
    .values({c.name: bindparam(f"e_{c.name}", type_=c.type) for c in EVENTS.c})
    .cte("appended")
)


def _read_head(connection) -> tuple[int, str]:
    """The chain head (seq, hash), locked until the transaction ends.

    On PostgreSQL ``FOR UPDATE`` makes a second writer wait on the head row until the first
    commits, and then read the head as that commit left it: appends are serialised and the
    chain stays linear. SQLite allows one writer per database, which serialises them already
    (SQLAlchemy leaves ``FOR UPDATE`` out there).
    """
    head = connection.execute(_READ_HEAD).first()
    if head is None:
        # No head row (tables emptied behind the application's back): start it from the last
        # event, as the migration does. Two writers racing here insert once (ON CONFLICT), and
        # the second then waits on the first one's row.
        last = connection.execute(
            select(EVENTS.c.seq, EVENTS.c.hash).order_by(EVENTS.c.seq.desc()).limit(1)
        ).first()
        seq, digest = (last[0], last[1]) if last else (0, GENESIS_HASH)
        dialect_insert = (
            postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
        )
        connection.execute(
            dialect_insert(HEAD).values(id=1, seq=seq, hash=digest).on_conflict_do_nothing()
        )
        head = connection.execute(_READ_HEAD).one()
    return head[0], head[1]


def _write(connection, values: dict) -> None:
    """INSERT the event and move the head to it: one round trip on PostgreSQL, two statements
    on SQLite (which has no data-modifying CTEs; its statements make no round trip)."""
    if connection.dialect.name == "postgresql":
        connection.execute(_APPEND_AND_MOVE_HEAD, {f"e_{k}": v for k, v in values.items()})
    else:
        connection.execute(_INSERT_EVENT, values)
        connection.execute(_MOVE_HEAD, {"e_seq": values["seq"], "e_hash": values["hash"]})


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

    The head is read and locked, the event written with a Core INSERT (no ORM flush) and the
    head moved to it in the same transaction; the returned event is a detached copy for
    reading.
    """
    session = session if session is not None else db.session
    if session.autoflush:
        session.flush()  # pending objects first (their ids go in the event), as a query would
    connection = session.connection()
    last_seq, prev = _read_head(connection)
    seq = last_seq + 1
    occurred_at = occurred_at or utcnow()
    # Personal values go to audit_personal_values; the hashed payload holds their digests.
    payload = personal.protect(
        connection,
        payload or {},
        subject_id=actor.id if actor else None,
        actor_role=actor_role,
        now=occurred_at,
    )
    values = {
        "seq": seq,
        "occurred_at": occurred_at,
        "actor_id": actor.id if actor else None,
        "actor_role": actor_role,
        "proposal_id": proposal.id if proposal else None,
        "trigger": trigger,
        "from_state": from_state,
        "to_state": to_state,
        "payload": json.loads(canonical_json(payload or {})),
        "public": public,
        "prev_hash": prev,
    }
    values["hash"] = hash_of(values)
    _write(connection, values)
    return _detached(values)


def append_events(events: list[dict], *, session=None) -> int:
    """Append many events at once, in the order given; the caller commits. Returns the last seq.

    Each item holds ``append_event``'s keywords (``trigger``, ``actor_role``, ``proposal_id``,
    ``from_state``, ``to_state``, ``payload``, ``public``; ``actor_id``, ``occurred_at``
    optional). The head is read and locked once, the events are chained in order and written
    with one multi-row INSERT, and the head is moved once: the same chain as as many
    ``append_event`` calls, for a batch (an import) that would otherwise pay three statements
    an event.
    """
    session = session if session is not None else db.session
    if session.autoflush:
        session.flush()
    connection = session.connection()
    seq, prev = _read_head(connection)
    if not events:
        return seq
    now = utcnow()
    rows = []
    for event in events:
        seq += 1
        values = {
            "seq": seq,
            "occurred_at": event.get("occurred_at") or now,
            "actor_id": event.get("actor_id"),
            "actor_role": event.get("actor_role"),
            "proposal_id": event.get("proposal_id"),
            "trigger": event["trigger"],
            "from_state": event.get("from_state"),
            "to_state": event.get("to_state"),
            "payload": json.loads(canonical_json(event.get("payload") or {})),
            "public": event.get("public", True),
            "prev_hash": prev,
        }
        values["hash"] = prev = hash_of(values)
        rows.append(values)
    connection.execute(_INSERT_EVENT, rows)
    connection.execute(_MOVE_HEAD, {"e_seq": seq, "e_hash": prev})
    return seq


def _detached(values: dict) -> AuditEvent:
    """An AuditEvent holding ``values``, not in any session: for reading what was written.

    Built as the ORM builds loaded objects (no constructor, no change tracking: the values are
    what the row holds), which costs a fraction of ``AuditEvent(**values)``.
    """
    event = AuditEvent.__mapper__.class_manager.new_instance()
    event.__dict__.update(values)
    return event


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
    # What failed: "chain" (the events or the head), "checkpoint" (a checkpoint the chain
    # contradicts: rewritten) or "signature" (a checkpoint whose seal does not verify).
    kind: str = "chain"
    # Checkpoints the chain was compared with, and how many of them were unsigned.
    checkpoints: int = 0
    unsigned: int = 0


def verify_chain(
    session=None,
    batch_size: int = 10000,
    *,
    checkpoints=None,
    certificates: dict | None = None,
) -> ChainReport:
    """Recompute the chain (see :func:`verify_links`), then compare it with ``checkpoints``
    (:class:`commons.audit.witness.Checkpoint`, from anywhere), checking each signed one's
    seal with ``certificates`` (by SHA-256). A rewrite that recomputed every hash and the head
    passes the first check; a checkpoint made before it names what changed.
    """
    session = session if session is not None else db.session
    report = verify_links(session, batch_size)
    if not report.ok or checkpoints is None:
        return report
    return _compare_checkpoints(session, report, list(checkpoints), certificates or {})


def _compare_checkpoints(session, report: ChainReport, checkpoints, certificates) -> ChainReport:
    from commons.audit import witness

    matcher = witness.Matcher(checkpoints)
    stmt = (
        select(EVENTS.c.seq, EVENTS.c.hash)
        .where(EVENTS.c.seq <= report.count)
        .order_by(EVENTS.c.seq)
        .execution_options(stream_results=True, yield_per=10000)
    )
    for rows in session.execute(stmt).partitions():
        for seq, digest in rows:
            matcher.feed(seq, digest)
    distinct = witness.distinct(checkpoints)
    unsigned = sum(1 for c in distinct if not c.signature)
    problem = matcher.finish(report.count)
    if problem:
        return ChainReport(
            False,
            report.count,
            report.head_hash,
            matcher.problem_seq,
            problem,
            "checkpoint",
            len(distinct),
            unsigned,
        )
    for checkpoint in distinct:
        problem = witness.signature_problem(checkpoint, certificates)
        if problem:
            return ChainReport(
                False,
                report.count,
                report.head_hash,
                checkpoint.seq,
                problem,
                "signature",
                len(distinct),
                unsigned,
            )
    report.checkpoints, report.unsigned = len(distinct), unsigned
    return report


def verify_links(session=None, batch_size: int = 10000) -> ChainReport:
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
    # The head as it was before the events are read: appends may go on meanwhile (see below).
    head_before = _head(session)
    if postgresql:
        return _verify_chain_postgresql(session, head_before)
    occurred = (
        func.to_char(
            func.timezone("UTC", table.c.occurred_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'
        )
        if postgresql
        else table.c.occurred_at
    )
    read_as = {"occurred_at": occurred, "payload": cast(table.c.payload, Text)}
    columns = [read_as.get(name, table.c[name]) for name in HASHED_FIELDS] + [table.c.hash]
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
            problem = _link_problem(seq, expected_seq, prev_hash, prev)
            if problem:
                result.close()
                return ChainReport(False, count, prev, *problem)
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
                return ChainReport(False, count, prev, seq, ALTERED)
            prev, expected_seq, count = stored_hash, expected_seq + 1, count + 1
    return _ending(session, head_before, count, prev)


def _verify_chain_postgresql(session, head_before) -> ChainReport:
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
            problem = _link_problem(seq, expected_seq, prev_hash, prev)
            if problem:
                return ChainReport(False, count, prev, *problem)
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
                return ChainReport(False, count, prev, seq, ALTERED)
            prev, expected_seq, count = stored_hash, expected_seq + 1, count + 1
    return _ending(session, head_before, count, prev)


ALTERED = "its content does not match its hash (altered)"


def _link_problem(seq: int, expected_seq: int, prev_hash: str, prev: str) -> tuple[int, str] | None:
    """What is wrong with an event's place in the chain, as (seq, reason); or None."""
    if seq != expected_seq:
        # Name the event missing from its place: deleted, or its number altered.
        return expected_seq, f"event {expected_seq} is missing (the next one is {seq})"
    if prev_hash != prev:
        return seq, "its previous-hash does not match the event before it"
    return None


def _ending(session, head_before, count: int, last_hash: str) -> ChainReport:
    """The report once every event verified: whole, unless the chain head disagrees."""
    problem = _head_problem(head_before, _head(session), count, last_hash)
    if problem:
        return ChainReport(False, count, last_hash, *problem)
    return ChainReport(True, count, last_hash)


def _head(session) -> tuple[int, str] | None:
    head = session.execute(select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)).first()
    return (head[0], head[1]) if head else None


def _head_problem(before, after, last_seq: int, last_hash: str) -> tuple[int, str] | None:
    """What is wrong with the chain head, given the last event (seq, hash) verified; or None.

    The head row moves in the same transaction as each event, so the events read must end
    between the head read before them and the head read after them (appends may commit while
    a long verification runs). Ending before the first head means the last events are missing
    (deleted); going past the second means events were written without ``append_event``.
    """
    if before is None or after is None:
        if last_seq == 0 and after is None:
            return None  # an empty chain whose head append_event starts on the first event
        return last_seq, "the chain head (audit_chain_head) is missing"
    if last_seq < before[0]:
        return before[0], (
            f"the chain head names event {before[0]}, but the last event is {last_seq} "
            "(the events after it are missing)"
        )
    if last_seq > after[0]:
        return last_seq, (
            f"the chain head names event {after[0]}, but the events go on to {last_seq} "
            "(written without moving the head)"
        )
    for seq, digest in (before, after):
        if seq == last_seq and digest != last_hash:
            return seq, f"the chain head's hash does not match event {seq}"
    return None
