"""The notification outbox: messages for people who must act."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from commons.db import UTCDateTime, utcnow
from commons.extensions import db


class Notification(db.Model):
    """A message for someone who must act, kept in an outbox until delivered.

    ``dedup_key`` makes the clock idempotent: the same reminder is queued once. ``kind`` and
    ``params`` let the message be written in each recipient's language when shown or e-mailed;
    ``subject`` and ``body`` keep it in English for the record.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        # The e-mail sender looks for unsent messages whose retry time has come.
        Index("ix_notifications_sent_at_next_attempt_at", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # When no single person is named: every user with this role (e.g. "legal").
    recipient_role: Mapped[str | None] = mapped_column(String(16), index=True)
    # Someone without an account yet (an invitation to join a group): their e-mail address.
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict] = mapped_column(db.JSON, default=dict)
    # After a failed send: not before this time (the wait doubles with each attempt).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # For a message to a role: the users it was already e-mailed to, so a retry skips them.
    delivered_to: Mapped[list[int]] = mapped_column(db.JSON, default=list)
