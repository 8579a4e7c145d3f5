"""Append-only audit events, each hashing its canonical JSON and the previous event's hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    TypeDecorator,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from commons.audit.chain import GENESIS_HASH, canonical_json
from commons.db import UTCDateTime, utcnow
from commons.extensions import db

SEQ_TYPE = BigInteger().with_variant(db.Integer, "sqlite")


class CanonicalJSON(TypeDecorator):
    """A JSON column whose stored text is the value's canonical JSON (sorted keys, no spaces,
    UTF-8), the very text the event's hash covers.

    PostgreSQL's ``json`` type (and SQLite's text) keep the text as written, so bulk readers can
    use it as it is once its hash proves it canonical (see commons.audit.pgfast), instead of
    parsing and re-serialising every payload. Reading gives the parsed value, as plain JSON.
    """

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect):
        # Replaces the JSON serialiser (spaces, ASCII escapes) for this column only.
        def process(value):
            return canonical_json(value).decode()

        return process


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_proposal_id_seq", "proposal_id", "seq"),)

    # The chain order; assigned under a lock so the chain stays linear.
    seq: Mapped[int] = mapped_column(SEQ_TYPE, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_role: Mapped[str | None] = mapped_column(String(16))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    trigger: Mapped[str] = mapped_column(String(40), index=True)
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    # Reasons, act references (protocol, decision, deliberation numbers and dates), hashes.
    payload: Mapped[dict] = mapped_column(CanonicalJSON, default=dict)
    public: Mapped[bool] = mapped_column(default=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.seq} {self.trigger}>"


class ExportJob(db.Model):
    """An export started from the web, made in the background (RQ or a thread).

    The file lives in COMMONS_EXPORT_DIR under ``file_name``; only its owner downloads it.
    """

    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        CheckConstraint("format IN ('csv', 'jsonl', 'xlsx', 'zip')", name="format_known"),
        Index("ix_export_jobs_user_id_id", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    format: Mapped[str] = mapped_column(String(8))
    # commons.audit.queries.Filters.as_dict()
    filters: Mapped[dict] = mapped_column(db.JSON, default=dict)
    bom: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    # Events written so far, of ``total`` (counted when the job starts).
    progress: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    file_name: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"))
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    # The ``exported`` audit event recording the finished export.
    event_seq: Mapped[int | None] = mapped_column(BigInteger().with_variant(db.Integer, "sqlite"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<ExportJob {self.id} {self.format} {self.status}>"


class AuditChainHead(db.Model):
    """The chain's head: the last event's seq and hash, in one row (id 1).

    ``append_event`` reads it with ``SELECT ... FOR UPDATE`` (on PostgreSQL the row lock
    serialises appends: one round trip, where an advisory lock and a head query took two) and
    writes it in the same statement as the event (a data-modifying CTE on PostgreSQL).
    ``verify_chain`` reports a head that disagrees with the last event. An empty chain has
    seq 0 and the genesis hash.
    """

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SEQ_TYPE)
    hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditChainHead {self.seq} {self.hash[:12]}>"


# A schema made with create_all starts with the empty chain's head (the migration initialises
# it from the events already there).
event.listen(
    AuditChainHead.__table__,
    "after_create",
    DDL(f"INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}')"),  # noqa: S608 - constants
)


# On PostgreSQL the table refuses UPDATE, DELETE and TRUNCATE (the migrations install the same
# triggers; this covers schemas made with create_all, as in the tests).
APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
"""

event.listen(
    AuditEvent.__table__,
    "after_create",
    DDL(APPEND_ONLY_SQL).execute_if(dialect="postgresql"),
)


class AuditCheckpoint(db.Model):
    """A checkpoint of the chain head: the event ``seq``, its ``hash`` and when it was made,
    signed with the city's seal key when one is configured (see commons.audit.witness).

    Append-only like the events (on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE);
    one per seq: a head that has not moved is not checkpointed again.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(SEQ_TYPE, unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Base64; empty when no seal key was configured.
    signature: Mapped[str | None] = mapped_column(Text)
    algorithm: Mapped[str | None] = mapped_column(String(24))
    certificate_sha256: Mapped[str | None] = mapped_column(String(64))
    # The seal certificate (PEM) that verifies the signature.
    certificate: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<AuditCheckpoint {self.seq} {self.hash[:12]}>"


CHECKPOINTS_APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION audit_checkpoints_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_checkpoints is append-only: %% refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_checkpoints_append_only
    BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate
    BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_append_only();
"""

event.listen(
    AuditCheckpoint.__table__,
    "after_create",
    DDL(CHECKPOINTS_APPEND_ONLY_SQL).execute_if(dialect="postgresql"),
)


class AuditPersonalValue(db.Model):
    """A personal value an audit event names, kept outside the hashed payload.

    The event's payload holds ``{"erasable": ref, "digest": HMAC-SHA256(salt, value)}`` in its
    place (commons.audit.personal). Erasing the person empties ``value`` and ``salt``: the
    payload, and so every hash of the chain, stays as it was, and the digest can no longer be
    tested against a guessed value.
    """

    __tablename__ = "audit_personal_values"

    ref: Mapped[str] = mapped_column(String(32), primary_key=True)
    # Whose data it is: the account erasing it.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    salt: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
