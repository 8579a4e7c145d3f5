"""Monitoring reports (the notification outbox is in commons.notifications.models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text, false
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
    # The representative agreed that the report's photos be shown on the pact's public
    # results page; reports filed before anybody was asked keep false.
    photos_public: Mapped[bool] = mapped_column(default=False, server_default=false())
