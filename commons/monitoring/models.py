"""Monitoring reports (the notification outbox is in commons.notifications.models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, false
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
    # The impact framework (commons/impact/frameworks/) and version the report was filled
    # with; reports filed before frameworks existed are the default's version 1.
    framework_id: Mapped[str] = mapped_column(
        String(40), default="default", server_default="default"
    )
    framework_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # The indicators' values by indicator id (participants, volunteer_hours, ...); read them
    # through commons.impact.queries, which knows their framework.
    indicators: Mapped[dict] = mapped_column(db.JSON, default=dict)
    # Breakdowns of the figures: {indicator: {breakdown: {category: value}}}.
    breakdowns: Mapped[dict | None] = mapped_column(db.JSON)
    final: Mapped[bool] = mapped_column(default=False)
    # The representative agreed that the report's photos be shown on the pact's public
    # results page; reports filed before anybody was asked keep false.
    photos_public: Mapped[bool] = mapped_column(default=False, server_default=false())
