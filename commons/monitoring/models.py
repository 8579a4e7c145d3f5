"""Monitoring reports and the notification outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from commons.db import UTCDateTime, utcnow
from commons.extensions import db


class MonitoringReport(db.Model):
    """A periodic (or final) report the representative files on an active pact."""

    __tablename__ = "monitoring_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    # Indicators such as participants and volunteer hours.
    indicators: Mapped[dict] = mapped_column(db.JSON, default=dict)
    final: Mapped[bool] = mapped_column(default=False)


class Notification(db.Model):
    """A message for someone who must act, kept in an outbox until delivered.

    ``dedup_key`` makes the clock idempotent: the same reminder is queued once.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # When no single person is named: every user with this role (e.g. "legal").
    recipient_role: Mapped[str | None] = mapped_column(String(16))
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
