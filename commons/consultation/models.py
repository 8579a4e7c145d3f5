"""Public consultation: comments on proposals under public notice and requests to join."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.db import UTCDateTime, utcnow
from commons.extensions import db


class Comment(db.Model):
    """An observation a citizen makes on a proposal during its public notice.

    Officers may hide it, with a reason; a hidden comment disappears from public pages and the
    hiding is recorded in the audit history.
    """

    __tablename__ = "consultation_comments"
    # The public page lists a proposal's comments in the order they came.
    __table_args__ = (Index("ix_consultation_comments_proposal_id_id", "proposal_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    author = relationship("User", foreign_keys=[author_id])
    proposal = relationship("Proposal")


class JoinRequest(db.Model):
    """A citizen's request to join the proposing group, made during the public notice.

    The group's representative accepts it (the citizen becomes a member of the group) or
    declines it, with an optional reason the citizen reads. One request per citizen and
    proposal; a declined one also stops the citizen from asking the same group again
    (``commons.consultation.operations.request_to_join``).
    """

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"

    __tablename__ = "join_requests"
    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id", name="uq_join_requests_proposal_id_user_id"),
        CheckConstraint("status IN ('pending', 'accepted', 'declined')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why the group declined, if the representative said; the requester reads it.
    reason: Mapped[str | None] = mapped_column(Text)

    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    proposal = relationship("Proposal")

    @property
    def pending(self) -> bool:
        return self.status == self.PENDING
