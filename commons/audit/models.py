"""Append-only audit events, each hashing its canonical JSON and the previous event's hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, BigInteger, CheckConstraint, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from commons.audit.chain import GENESIS_HASH
from commons.db import UTCDateTime, utcnow
from commons.extensions import db

SEQ_TYPE = BigInteger().with_variant(db.Integer, "sqlite")


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
    payload: Mapped[dict] = mapped_column(db.JSON, default=dict)
    public: Mapped[bool] = mapped_column(default=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.seq} {self.trigger}>"


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


# On PostgreSQL the table refuses UPDATE and DELETE (the migration installs the same trigger;
# this covers schemas made with create_all, as in the tests).
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
"""

event.listen(
    AuditEvent.__table__,
    "after_create",
    DDL(APPEND_ONLY_SQL).execute_if(dialect="postgresql"),
)
