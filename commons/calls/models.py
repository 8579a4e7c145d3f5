"""City-initiated calls on listed commons (DOMAIN.md, "Calls on listed commons"): the call,
its offered commons with their information sheets, batches, the evaluation grid, the panel,
the applications and their scores."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.auth.models import User, _in
from commons.db import TimestampMixin, UTCDateTime
from commons.extensions import db
from commons.proposals.models import Proposal
from commons.registry.models import Commons
from commons.uploads.models import Attachment


class CallStatus(enum.StrEnum):
    """Where a call is: states of the call itself, not of the proposals it receives."""

    DRAFT = "draft"
    PUBLISHED = "published"  # announced, not yet receiving applications
    OPEN = "open"  # receiving applications (some batch still open)
    CLOSED = "closed"  # every batch's deadline passed
    EVALUATING = "evaluating"
    RANKED = "ranked"
    ADMITTED = "admitted"  # the admitting act is recorded
    ARCHIVED = "archived"


# The order in which a call moves; each step is one operation in commons.calls.operations.
CALL_FLOW = {
    CallStatus.DRAFT: CallStatus.PUBLISHED,
    CallStatus.PUBLISHED: CallStatus.OPEN,
    CallStatus.OPEN: CallStatus.CLOSED,
    CallStatus.CLOSED: CallStatus.EVALUATING,
    CallStatus.EVALUATING: CallStatus.RANKED,
    CallStatus.RANKED: CallStatus.ADMITTED,
    CallStatus.ADMITTED: CallStatus.ARCHIVED,
}


class Outcome(enum.StrEnum):
    ADMITTED = "admitted"
    BELOW_THRESHOLD = "below_threshold"
    EXCLUDED = "excluded"


class Call(TimestampMixin, db.Model):
    """A call for proposals on commons the city lists."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint(_in("status", CallStatus), name="status_known"),
        CheckConstraint("min_groups >= 1", name="min_groups_positive"),
        Index("ix_calls_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A short reference people quote ("CO-CITY 2026"); unique.
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=CallStatus.DRAFT.value, index=True)
    # Themes / action areas: [{"key": ..., "title": ...}].
    themes: Mapped[list] = mapped_column(db.JSON, default=list)
    # Eligibility.
    proponent_kinds: Mapped[list] = mapped_column(db.JSON, default=list)  # empty: any kind
    min_groups: Mapped[int] = mapped_column(default=1)
    no_advantage_required: Mapped[bool] = mapped_column(default=False)
    # The call's extra questions: [{"key": ..., "text": ..., "required": bool}].
    questions: Mapped[list] = mapped_column(db.JSON, default=list)
    faq: Mapped[list] = mapped_column(db.JSON, default=list)  # [{"question":..., "answer":...}]
    # Weighted total at or above which a proposal is admitted.
    threshold: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    # The act that will admit ("Giunta deliberation") and, once the last batch is admitted,
    # the number and date of its act (each batch's own act: CallBatch.act_number).
    act_kind: Mapped[str] = mapped_column(String(200), default="")
    act_number: Mapped[str | None] = mapped_column(String(50))
    act_date: Mapped[date | None]
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    offers: Mapped[list[CallCommons]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallCommons.id"
    )
    batches: Mapped[list[CallBatch]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallBatch.deadline"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Criterion.position"
    )
    evaluators: Mapped[list[CallEvaluator]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallEvaluator.id"
    )

    @property
    def results_public(self) -> bool:
        """Some results are public: the act of one of its batches at least is recorded (each
        batch's own results are public once its act is, see ``CallBatch.results_public``)."""
        return self.act_number is not None or any(b.act_number for b in self.batches)

    @property
    def in_evaluation(self) -> bool:
        """Whether some batch of the call is being evaluated now."""
        return any(b.in_evaluation for b in self.batches)

    @property
    def theme_keys(self) -> list[str]:
        return [t["key"] for t in self.themes]

    def theme_title(self, key: str | None) -> str:
        return next((t["title"] for t in self.themes if t["key"] == key), key or "")

    @property
    def max_total(self) -> Decimal:
        return sum((c.weight * c.max_points for c in self.criteria), Decimal(0))

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.reference} {self.status}>"


class CallCommons(db.Model):
    """A commons the call offers, with its information sheet."""

    __tablename__ = "call_commons"
    __table_args__ = (UniqueConstraint("call_id", "commons_id", name="uq_call_commons_call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    commons_id: Mapped[int] = mapped_column(ForeignKey("commons.id"), index=True)
    floor_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    condition: Mapped[str] = mapped_column(Text, default="")
    constraints: Mapped[str] = mapped_column(Text, default="")
    plans: Mapped[str] = mapped_column(Text, default="")  # where the plans are, or a note
    # Visiting slots: ["2026-03-02T10:00", ...] as typed in the call's file.
    visiting_slots: Mapped[list] = mapped_column(db.JSON, default=list)
    # Themes this commons is offered for (empty: every theme of the call).
    themes: Mapped[list] = mapped_column(db.JSON, default=list)

    call: Mapped[Call] = relationship(back_populates="offers")
    commons: Mapped[Commons] = relationship(lazy="joined")
    files: Mapped[list[SheetFile]] = relationship(
        back_populates="offer",
        cascade="all, delete-orphan",
        order_by="SheetFile.id",
        lazy="selectin",
    )

    @property
    def photos(self) -> list[SheetFile]:
        return [f for f in self.files if f.is_photo]

    @property
    def plan_files(self) -> list[SheetFile]:
        return [f for f in self.files if not f.is_photo]


class SheetFile(db.Model):
    """A photo or a plan (PDF) on the information sheet of an offered commons: an uploaded
    file (commons.uploads, purpose ``call_sheet``) with the words that describe it (a photo's
    alternative text, a plan's title)."""

    __tablename__ = "call_sheet_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("call_commons.id", ondelete="CASCADE"), index=True
    )
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"), unique=True)
    description: Mapped[str] = mapped_column(String(300))

    offer: Mapped[CallCommons] = relationship(back_populates="files")
    attachment: Mapped[Attachment] = relationship(lazy="joined")

    @property
    def is_photo(self) -> bool:
        return self.attachment.content_type != "application/pdf"


class CallBatch(db.Model):
    """A round of the call with its deadline: one fixed deadline, or one of a rolling series."""

    __tablename__ = "call_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    # Themes this batch receives (empty: every theme).
    themes: Mapped[list] = mapped_column(db.JSON, default=list)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Each batch is ranked and admitted on its own (a rolling call: one act every deadline).
    ranked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    act_number: Mapped[str | None] = mapped_column(String(50))
    act_date: Mapped[date | None]

    call: Mapped[Call] = relationship(back_populates="batches")

    @property
    def results_public(self) -> bool:
        """The batch's scores, reasons and ranking are public once its act is recorded."""
        return self.act_number is not None

    @property
    def in_evaluation(self) -> bool:
        """Whether the panel may declare, score and agree on this batch's proposals now:
        once it is closed while the call still receives applications for later deadlines
        (a rolling call), or once the office has started the evaluation of the call; and
        until the batch is ranked."""
        if self.ranked_at is not None:
            return False
        status = self.call.status
        return status == CallStatus.EVALUATING or (
            status == CallStatus.OPEN and self.closed_at is not None
        )


class Criterion(db.Model):
    """A line of the evaluation grid."""

    __tablename__ = "call_criteria"
    __table_args__ = (
        CheckConstraint("max_points > 0", name="max_points_positive"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))
    max_points: Mapped[int] = mapped_column(default=10)

    call: Mapped[Call] = relationship(back_populates="criteria")


class CallEvaluator(db.Model):
    """A member of the call's panel (staff or an external expert with the evaluator role)."""

    __tablename__ = "call_evaluators"
    __table_args__ = (UniqueConstraint("call_id", "user_id", name="uq_call_evaluators_call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    call: Mapped[Call] = relationship(back_populates="evaluators")
    user: Mapped[User] = relationship(lazy="joined")


class CallApplication(TimestampMixin, db.Model):
    """A proposal made in answer to a call: its batch, theme, partners, answers, outcome."""

    __tablename__ = "call_applications"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR " + _in("outcome", Outcome), name="outcome_known"),
        Index("ix_call_applications_call_id_rank", "call_id", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("call_batches.id"), index=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    theme: Mapped[str | None] = mapped_column(String(40))
    answers: Mapped[dict] = mapped_column(db.JSON, default=dict)
    no_advantage_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by the chair: an exclusion (with its reason) keeps the proposal out of the ranking.
    excluded_reason: Mapped[str | None] = mapped_column(Text)
    # Set by the ranking.
    total: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    rank: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reason: Mapped[str | None] = mapped_column(Text)

    call: Mapped[Call] = relationship()
    batch: Mapped[CallBatch] = relationship()
    proposal: Mapped[Proposal] = relationship(lazy="joined")
    partners: Mapped[list[ConsortiumPartner]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ConsortiumPartner.id",
    )
    consensus: Mapped[list[ConsensusScore]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )

    @property
    def group_count(self) -> int:
        """The lead group and its partners."""
        return 1 + len(self.partners)


class ConsortiumPartner(db.Model):
    """A group applying together with the lead group (the proposal's own group)."""

    __tablename__ = "call_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("call_applications.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))

    application: Mapped[CallApplication] = relationship(back_populates="partners")


class Review(db.Model):
    """One evaluator's work on one application: the conflict-of-interest declaration (or the
    recusal), then the scores, hidden from the other evaluators until submitted."""

    __tablename__ = "call_reviews"
    __table_args__ = (
        UniqueConstraint("application_id", "evaluator_id", name="uq_call_reviews_application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("call_applications.id", ondelete="CASCADE"), index=True
    )
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    no_conflict_declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recused_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    application: Mapped[CallApplication] = relationship()
    evaluator: Mapped[User] = relationship(lazy="joined")
    scores: Mapped[list[Score]] = relationship(
        back_populates="review", cascade="all, delete-orphan", lazy="selectin"
    )


class Score(db.Model):
    """An evaluator's points on one criterion, with the reason."""

    __tablename__ = "call_scores"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id", name="uq_call_scores_review_id"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("call_reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("call_criteria.id"), index=True)
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)

    review: Mapped[Review] = relationship(back_populates="scores")


class ConsensusScore(db.Model):
    """The panel's final points on one criterion, recorded by the chair, with the reason."""

    __tablename__ = "call_consensus"
    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id", name="uq_call_consensus_application_id"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("call_applications.id", ondelete="CASCADE")
    )
    criterion_id: Mapped[int] = mapped_column(ForeignKey("call_criteria.id"), index=True)
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    application: Mapped[CallApplication] = relationship(back_populates="consensus")
    criterion: Mapped[Criterion] = relationship(lazy="joined")
