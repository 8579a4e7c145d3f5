"""Proposals: what a proponent asks for, and, once signed, the collaboration pact."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.auth.models import ProponentGroup, User, _in
from commons.db import TimestampMixin, UTCDateTime
from commons.extensions import db
from commons.registry.models import Commons


class PactType(enum.StrEnum):
    ORDINARY = "ordinary"
    COMPLEX = "complex"


class Support(enum.StrEnum):
    """Forms of support a proponent may ask of the city."""

    MATERIALS = "materials"
    TOOLS = "tools"
    TRAINING = "training"
    INSURANCE = "insurance"
    FEE_EXEMPTION = "fee_exemption"
    USE_OF_SPACES = "use_of_spaces"


proposal_commons = Table(
    "proposal_commons",
    db.Model.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("commons_id", ForeignKey("commons.id"), primary_key=True, index=True),
)


class Proposal(TimestampMixin, db.Model):
    """A proposal of collaboration; its status follows the lifecycle of its regulation profile."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(_in("pact_type", PactType), name="pact_type_known"),
        CheckConstraint(
            "requested_duration_months IS NULL OR requested_duration_months > 0",
            name="duration_positive",
        ),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_ordered"
        ),
        # Work queues filter by state and sort by age; keyset pagination uses (created_at, id).
        Index("ix_proposals_status_created_at", "status", "created_at"),
        Index("ix_proposals_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    pact_type: Mapped[str] = mapped_column(String(10), default=PactType.ORDINARY.value, index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("proponent_groups.id"), index=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    objectives: Mapped[str] = mapped_column(Text, default="")
    activities: Mapped[str] = mapped_column(Text, default="")
    support_requested: Mapped[list[str]] = mapped_column(db.JSON, default=list)
    support_notes: Mapped[str] = mapped_column(Text, default="")
    requested_duration_months: Mapped[int | None]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None] = mapped_column(index=True)
    # Only workflows.fire writes this column (DESIGN.md, "How a request flows").
    status: Mapped[str] = mapped_column(String(32), default="draft", index=True)
    protocol_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    case_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    profile: Mapped[str] = mapped_column(String(40), default="labsus")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[ProponentGroup] = relationship()
    representative: Mapped[User] = relationship(foreign_keys=[representative_id])
    case_officer: Mapped[User | None] = relationship(foreign_keys=[case_officer_id])
    commons: Mapped[list[Commons]] = relationship(secondary=proposal_commons, order_by=Commons.name)

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status} {self.title!r}>"
