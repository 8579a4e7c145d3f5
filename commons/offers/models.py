"""Offers and needs: what groups and the office can give or ask for (volunteers, skills,
materials, spaces, small funds) on a commons or a pact in force, moderated by the office, and
the "I can help" answers that reach whoever posted them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.auth.models import User, _in
from commons.db import TimestampMixin, UTCDateTime, utcnow
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.proposals.models import Proposal
from commons.registry.models import Commons


class PostKind(enum.StrEnum):
    OFFER = "offer"  # something given: "we can lend tools"
    NEED = "need"  # something asked for: "we need six volunteers on Saturday"


class PostCategory(enum.StrEnum):
    VOLUNTEERS = "volunteers"
    SKILLS = "skills"
    MATERIALS = "materials"
    SPACES = "spaces"
    SMALL_FUNDS = "small_funds"


class PostStatus(enum.StrEnum):
    """pending -> published -> closed; pending -> rejected (moderation); pending -> closed
    (withdrawn by its poster before moderation)."""

    PENDING = "pending"
    PUBLISHED = "published"
    CLOSED = "closed"
    REJECTED = "rejected"


class ClosedAs(enum.StrEnum):
    FULFILLED = "fulfilled"
    WITHDRAWN = "withdrawn"


class Post(TimestampMixin, db.Model):
    """An offer or a need, tied to a commons (and, when it is about one, to a pact in force
    on it), posted for a group by one of its members or for the city by the office."""

    __tablename__ = "offer_posts"
    __table_args__ = (
        CheckConstraint(_in("kind", PostKind), name="kind_known"),
        CheckConstraint(_in("category", PostCategory), name="category_known"),
        CheckConstraint(_in("status", PostStatus), name="status_known"),
        CheckConstraint("closed_as IS NULL OR " + _in("closed_as", ClosedAs), name="closed_known"),
        # The public list: published posts, newest first, paged by (published_at, id); each
        # filter it offers (kind, category, commons; district through the commons) narrows it.
        Index("ix_offer_posts_status_published_at_id", "status", "published_at", "id"),
        Index("ix_offer_posts_kind_status_published_at", "kind", "status", "published_at"),
        Index("ix_offer_posts_category_status_published_at", "category", "status", "published_at"),
        # The office's moderation queue: pending posts, oldest first.
        Index("ix_offer_posts_status_created_at_id", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # How much or how many, and when, as the poster says it ("6 people", "Saturday mornings").
    quantity: Mapped[str | None] = mapped_column(String(100))
    timing: Mapped[str | None] = mapped_column(String(200))
    # Where: always a commons (its district and position put the post in the lists and on
    # the map); a pact in force on it when the post is about that pact.
    commons_id: Mapped[int] = mapped_column(ForeignKey("commons.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    # Who: for a group (group_id) or, with no group, for the city (office staff).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("proponent_groups.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PostStatus.PENDING.value)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    closed_as: Mapped[str | None] = mapped_column(String(10))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Counts the changes: a moderation or a closing made from a stale copy is refused.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    commons: Mapped[Commons] = relationship(lazy="joined")
    proposal: Mapped[Proposal | None] = relationship()
    group: Mapped[ProponentGroup | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    moderated_by: Mapped[User | None] = relationship(foreign_keys=[moderated_by_id])
    responses: Mapped[list[HelpResponse]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="HelpResponse.id"
    )

    @property
    def for_city(self) -> bool:
        return self.group_id is None

    @property
    def was_published(self) -> bool:
        """Published now, or published before it was closed: the public may read it."""
        return self.published_at is not None and self.status in (
            PostStatus.PUBLISHED,
            PostStatus.CLOSED,
        )

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.kind} {self.status} {self.title!r}>"


class HelpResponse(db.Model):
    """Someone's "I can help" on a published post: a short message and how to reach them
    (their account's e-mail address, optionally a phone). Only the poster reads it."""

    __tablename__ = "offer_responses"
    __table_args__ = (UniqueConstraint("post_id", "user_id", name="uq_offer_responses_post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("offer_posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    # In international form (+39 ...), checked with phonenumbers; empty when not given.
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    post: Mapped[Post] = relationship(back_populates="responses")
    user: Mapped[User] = relationship(lazy="joined")
