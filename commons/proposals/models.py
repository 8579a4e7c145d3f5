"""Proposals: what a proponent asks for, and, once signed, the collaboration pact."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    or_,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.auth.models import User, _in
from commons.db import TimestampMixin, UTCDateTime
from commons.extensions import db
from commons.groups.models import GroupMember, ProponentGroup
from commons.registry.models import Commons

if TYPE_CHECKING:
    from commons.uploads.models import Attachment


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


def _initial_status(context) -> str:
    """The state a proposal starts in, the proponent's private draft (DOMAIN.md): the initial
    state of its profile (the operations set it; this is the default of a bare row)."""
    from commons.lifecycle.states import profile_named

    return profile_named(context.get_current_parameters().get("profile") or "labsus").initial


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
        # The office's queue sorts by the deadline of the current step, keyset on (due_at, id).
        Index("ix_proposals_due_at_id", "due_at", "id"),
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
    # What the application asks for. Once a pact version is approved, start_date and end_date
    # are a cache of its approved terms (commons/documents/terms.py: set at approval, fixed at
    # the last signature, moved by an extension act): every page, export and clock reads them.
    requested_duration_months: Mapped[int | None]
    start_date: Mapped[date | None]
    end_date: Mapped[date | None] = mapped_column(index=True)
    # Only workflows.fire writes this column (DESIGN.md, "How a request flows").
    status: Mapped[str] = mapped_column(String(32), default=_initial_status, index=True)
    protocol_number: Mapped[str | None] = mapped_column(String(20), unique=True)
    case_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    profile: Mapped[str] = mapped_column(String(40), default="labsus")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic lock: an UPDATE from a stale copy fails instead of overwriting a transition.
    lock_version: Mapped[int] = mapped_column(default=1)

    # Acts recorded by the lifecycle (also in the audit events that recorded them).
    decision_number: Mapped[str | None] = mapped_column(String(50))
    decision_date: Mapped[date | None]
    deliberation_number: Mapped[str | None] = mapped_column(String(50))
    deliberation_date: Mapped[date | None]

    # Clocks. The review clock runs from submission to admission or rejection and pauses
    # while the office awaits an integration; paused time is kept in review_paused_seconds.
    review_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_paused_seconds: Mapped[int] = mapped_column(default=0)
    review_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    integration_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    notice_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    deliberation_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_report_due_on: Mapped[date | None] = mapped_column(index=True)
    withdrawal_effective_on: Mapped[date | None]
    # Deadline of the current step, derived from the clocks above before every flush
    # (commons/office/deadlines.py); the office's queue filters and sorts on it.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # A renewal creates a successor proposal linked to this one.
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)

    # A place not yet in the register that the proponents propose (address, optional pin).
    new_place_address: Mapped[str | None] = mapped_column(String(300))
    new_place_latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    new_place_longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))

    group: Mapped[ProponentGroup] = relationship()
    representative: Mapped[User] = relationship(foreign_keys=[representative_id])
    case_officer: Mapped[User | None] = relationship(foreign_keys=[case_officer_id])
    commons: Mapped[list[Commons]] = relationship(secondary=proposal_commons, order_by=Commons.name)
    predecessor: Mapped[Proposal | None] = relationship(
        remote_side="Proposal.id", back_populates="successors"
    )
    successors: Mapped[list[Proposal]] = relationship(back_populates="predecessor")
    meetings: Mapped[list[CoDesignMeeting]] = relationship(
        back_populates="proposal", order_by="CoDesignMeeting.held_on"
    )
    opinions: Mapped[list[TechnicalOpinion]] = relationship(
        back_populates="proposal", order_by="TechnicalOpinion.id"
    )
    # The minutes files of its co-design meetings (uploads with purpose "minutes", each linked
    # to its meeting by linked_id), in one query whatever the number of meetings.
    minutes_files: Mapped[list[Attachment]] = relationship(
        "Attachment",
        primaryjoin="and_(foreign(Attachment.proposal_id) == Proposal.id, "
        "Attachment.purpose == 'minutes', Attachment.linked_id.is_not(None))",
        viewonly=True,
        order_by="Attachment.id",
    )

    __mapper_args__ = {"version_id_col": lock_version}

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status} {self.title!r}>"

    # --- who may see it: the one rule every list and page uses ----------------------------

    @hybrid_property
    def is_public(self) -> bool:
        """The proposal has left the proponent's drafts: the public may know it exists.

        On a row, a bool; on the class, the same test as SQL (``Proposal.is_public``): the
        status is not the initial state of the proposal's profile."""
        from commons.lifecycle.states import is_initial

        return not is_initial(self)

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls) -> ColumnElement[bool]:
        from commons.lifecycle.states import status_in

        return ~status_in(lambda profile: {profile.initial}, cls)

    @property
    def is_draft(self) -> bool:
        """Still the proponent's draft: the initial state of its profile."""
        return not self.is_public

    @classmethod
    def proposed_by(cls, user) -> ColumnElement[bool]:
        """WHERE clause: ``user`` is the proposal's representative or a member of its group."""
        member_of = select(GroupMember.group_id).where(GroupMember.user_id == user.id)
        return or_(cls.representative_id == user.id, cls.group_id.in_(member_of))

    @classmethod
    def visible_to(cls, user=None) -> ColumnElement[bool]:
        """WHERE clause: the proposals ``user`` may see in a list (a draft is private).

        Anyone sees the proposals that left draft; a proponent also sees their own drafts.
        ``None`` or an anonymous user: what the public sees (register, open data, feeds).
        The same rule as ``can(user, "proposal.view", proposal)`` for one proposal.
        """
        if user is None or not getattr(user, "is_authenticated", False):
            return cls.is_public
        return or_(cls.is_public, cls.proposed_by(user))


class CoDesignMeeting(TimestampMixin, db.Model):
    """A co-design meeting between the office and the proponents, with its minutes."""

    __tablename__ = "co_design_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    held_on: Mapped[date]
    attendees: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    proposal: Mapped[Proposal] = relationship(back_populates="meetings")


class TechnicalOpinion(TimestampMixin, db.Model):
    """An opinion asked of a department (green areas, heritage, safety...), and its answer."""

    __tablename__ = "technical_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    department: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    positive: Mapped[bool | None]
    text: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    proposal: Mapped[Proposal] = relationship(back_populates="opinions")


class ProtocolCounter(db.Model):
    """The last protocol number given in a year; incremented atomically on submission."""

    __tablename__ = "protocol_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)
