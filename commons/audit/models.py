"""Append-only audit events, each hashing its canonical JSON and the previous event's hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from commons.db import UTCDateTime, utcnow
from commons.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_proposal_id_seq", "proposal_id", "seq"),)

    # The chain order; assigned under a lock so the chain stays linear.
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True, autoincrement=False
    )
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
