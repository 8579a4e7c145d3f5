"""Reads the offers and needs pages, the map layer and the open data need."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select, tuple_
from sqlalchemy.orm import Session, contains_eager, joinedload

from commons.extensions import db
from commons.groups.models import GroupMember, ProponentGroup
from commons.impact.queries import figures as impact_figures
from commons.impact.queries import report_figures
from commons.monitoring.models import MonitoringReport
from commons.offers.labels import CATEGORY_LABELS, KIND_LABELS
from commons.offers.models import HelpResponse, Post, PostCategory, PostKind, PostStatus
from commons.pagination import decode_cursor, encode_cursor
from commons.proposals.models import Proposal, proposal_commons
from commons.proposals.standing import city_today, in_force_on
from commons.registry.models import Commons
from commons.routing import LARGEST_ID
from commons.uploads.models import Attachment

PAGE_SIZE = 20
BATCH = 500


@dataclass
class Filters:
    kind: str = ""
    category: str = ""
    district: str = ""
    commons_id: int | None = None

    @classmethod
    def from_args(cls, args) -> Filters:
        """The filters of a query string; unknown values are ignored, not an error."""
        kind = args.get("kind", "")
        category = args.get("category", "")
        commons = args.get("commons", "")
        return cls(
            kind=kind if kind in {k.value for k in PostKind} else "",
            category=category if category in {c.value for c in PostCategory} else "",
            district=(args.get("district") or "").strip()[:100],
            commons_id=min(int(commons), LARGEST_ID) if commons.isdigit() else None,
        )

    def query(self) -> dict:
        """The filters as query-string values, for links to the next page and the map."""
        values = {"kind": self.kind, "category": self.category, "district": self.district}
        values["commons"] = self.commons_id
        return {k: v for k, v in values.items() if v}


def _published(filters: Filters) -> Select:
    stmt = (
        select(Post)
        .join(Commons, Commons.id == Post.commons_id)
        .options(contains_eager(Post.commons))
        .where(Post.status == PostStatus.PUBLISHED.value)
    )
    if filters.kind:
        stmt = stmt.where(Post.kind == filters.kind)
    if filters.category:
        stmt = stmt.where(Post.category == filters.category)
    if filters.district:
        stmt = stmt.where(Commons.district == filters.district)
    if filters.commons_id:
        stmt = stmt.where(Post.commons_id == filters.commons_id)
    return stmt


@dataclass
class Page:
    posts: list[Post]
    next_cursor: str | None


def _after(token: str | None) -> tuple[datetime, int] | None:
    values = decode_cursor(token)
    if not values or len(values) != 2 or not str(values[1]).isdigit():
        return None
    try:
        moment = datetime.fromisoformat(str(values[0]))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment, min(int(values[1]), LARGEST_ID)


def published_page(filters: Filters, after: str | None = None, limit: int = PAGE_SIZE) -> Page:
    """Published posts matching ``filters``, newest first, keyset-paged by (published_at,
    id): one query a page, the commons joined."""
    stmt = _published(filters)
    cursor = _after(after)
    if cursor:
        stmt = stmt.where(tuple_(Post.published_at, Post.id) < tuple_(*cursor))
    rows = list(
        db.session.scalars(stmt.order_by(Post.published_at.desc(), Post.id.desc()).limit(limit + 1))
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].published_at.isoformat(), rows[-1].id])
    return Page(rows, next_cursor)


def pending_posts() -> list[Post]:
    """The moderation queue: pending posts, oldest first."""
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.status == PostStatus.PENDING.value)
            .options(joinedload(Post.group), joinedload(Post.author))
            .order_by(Post.created_at, Post.id)
        )
    )


def posts_of(user) -> list[Post]:
    """What ``user`` posted, and what was posted for the groups they belong to, newest
    first."""
    joined = select(GroupMember.group_id).where(GroupMember.user_id == user.id)
    represented = select(ProponentGroup.id).where(ProponentGroup.representative_id == user.id)
    return list(
        db.session.scalars(
            select(Post)
            .where(
                or_(
                    Post.author_id == user.id,
                    Post.group_id.in_(joined),
                    Post.group_id.in_(represented),
                )
            )
            .options(joinedload(Post.group))
            .order_by(Post.created_at.desc(), Post.id.desc())
        )
    )


def responses_to(post: Post) -> list[HelpResponse]:
    return list(
        db.session.scalars(
            select(HelpResponse).where(HelpResponse.post_id == post.id).order_by(HelpResponse.id)
        )
    )


def pacts_for_posting(groups) -> list[Proposal]:
    """The pacts in force of these groups: what their members most often post about."""
    ids = [g.id for g in groups]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.group_id.in_(ids), in_force_on(city_today()))
            .order_by(Proposal.title, Proposal.id)
        )
    )


def post_counts(post_ids: list[int]) -> dict[int, int]:
    """How many answers each post has (for its author's list)."""
    from sqlalchemy import func

    if not post_ids:
        return {}
    rows = db.session.execute(
        select(HelpResponse.post_id, func.count())
        .where(HelpResponse.post_id.in_(post_ids))
        .group_by(HelpResponse.post_id)
    )
    return dict(rows.all())


# --- the map layer and the open data ----------------------------------------------------------


def map_features(filters: Filters, detail_prefix: str) -> Iterator[dict]:
    """Each published post placed on its commons (those with a position), for the map; read
    in the request (its words are in the reader's language)."""
    stmt = (
        _published(filters)
        .where(Commons.latitude.is_not(None), Commons.longitude.is_not(None))
        .order_by(Post.id)
        .execution_options(yield_per=BATCH)
    )
    for post in db.session.scalars(stmt):
        yield {
            "type": "Feature",
            "id": f"post-{post.id}",
            "geometry": {
                "type": "Point",
                "coordinates": [float(post.commons.longitude), float(post.commons.latitude)],
            },
            "properties": {
                "layer": "offers",
                "kind": post.kind,
                "name": f"{KIND_LABELS[post.kind]}: {post.title}",
                "detail": f"{CATEGORY_LABELS[post.category]} · {post.commons.name}",
                "url": f"{detail_prefix}{post.id}",
            },
        }


def open_data_rows(session: Session) -> Iterator[dict]:
    """Published posts for offers.csv: what they say and where, never who answered."""
    stmt = (
        select(Post, Commons.district)
        .join(Commons, Commons.id == Post.commons_id)
        .where(Post.status == PostStatus.PUBLISHED.value)
        .order_by(Post.id)
        .execution_options(yield_per=BATCH)
    )
    for post, district in session.execute(stmt):
        yield {
            "id": post.id,
            "kind": post.kind,
            "category": post.category,
            "title": post.title,
            "description": post.description,
            "quantity": post.quantity or "",
            "timing": post.timing or "",
            "commons_id": post.commons_id,
            "pact_id": post.proposal_id or "",
            "district": district or "",
            "posted_for": "city" if post.group_id is None else "group",
            "published_at": post.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


# --- results of pacts in force ------------------------------------------------------------------

# The figures summed on the results pages (indicators of the default impact framework,
# commons/impact/frameworks/), in the order shown.
FIGURES = ("events_held", "participants", "volunteer_hours")
PHOTO = "report_photo"


@dataclass
class Figures:
    """Sums of the figures of monitoring reports."""

    reports: int = 0
    events_held: int = 0
    participants: int = 0
    volunteer_hours: int = 0

    def add(self, figures: dict) -> None:
        """Count one report with its ``figures`` (from :mod:`commons.impact.queries`)."""
        self.reports += 1
        for key in FIGURES:
            value = figures.get(key)
            if value is not None:
                setattr(self, key, getattr(self, key) + value)

    def plus(self, other: Figures) -> None:
        self.reports += other.reports
        for key in FIGURES:
            setattr(self, key, getattr(self, key) + getattr(other, key))


@dataclass
class PactResults:
    pact: Proposal
    figures: Figures
    reports: list  # MonitoringReport, oldest first
    photos: dict  # report id -> [Attachment], of the reports whose photos are public


def pacts_in_force(district: str | None = None) -> list[Proposal]:
    """The pacts in force today (on a commons of ``district``, when given), by title; their
    commons loaded with them."""
    from sqlalchemy.orm import selectinload

    stmt = (
        select(Proposal)
        .where(in_force_on(city_today()))
        .options(selectinload(Proposal.commons))
        .order_by(Proposal.title, Proposal.id)
    )
    if district is not None:
        stmt = stmt.where(
            Proposal.id.in_(
                select(proposal_commons.c.proposal_id)
                .join(Commons, Commons.id == proposal_commons.c.commons_id)
                .where(Commons.district == district)
            )
        )
    return list(db.session.scalars(stmt))


def figures_of(pacts: list[Proposal]) -> dict[int, Figures]:
    """Each pact's sums of its monitoring reports' figures: one query for them all."""

    found = {p.id: Figures() for p in pacts}
    if not found:
        return found
    for proposal_id, figures in report_figures(found):
        found[proposal_id].add(figures)
    return found


def results_of(pact: Proposal) -> PactResults:
    """A pact's reports, oldest first, their sums and the photos filed with those whose
    representative agreed to publish them."""

    reports = list(
        db.session.scalars(
            select(MonitoringReport)
            .where(MonitoringReport.proposal_id == pact.id)
            .order_by(MonitoringReport.filed_at, MonitoringReport.id)
        )
    )
    figures = Figures()
    for report in reports:
        figures.add(
            impact_figures(report.framework_id, report.framework_version, report.indicators)
        )
    photos: dict[int, list] = {}
    published = [r.id for r in reports if r.photos_public]
    if published:
        for photo in db.session.scalars(
            select(Attachment)
            .where(
                Attachment.proposal_id == pact.id,
                Attachment.purpose == PHOTO,
                Attachment.linked_id.in_(published),
                Attachment.public_sha256.is_not(None),
            )
            .order_by(Attachment.id)
        ):
            photos.setdefault(photo.linked_id, []).append(photo)
    return PactResults(pact, figures, reports, photos)


def public_photo(pact: Proposal, attachment_id: int):
    """The photo ``attachment_id`` of a monitoring report of ``pact`` whose representative
    agreed to publish its photos (and whose copy without metadata was made), else None."""

    return db.session.scalar(
        select(Attachment)
        .join(MonitoringReport, MonitoringReport.id == Attachment.linked_id)
        .where(
            Attachment.id == attachment_id,
            Attachment.proposal_id == pact.id,
            Attachment.purpose == PHOTO,
            MonitoringReport.proposal_id == pact.id,
            MonitoringReport.photos_public.is_(True),
            Attachment.public_sha256.is_not(None),
        )
    )


def located(pact: Proposal) -> Commons | None:
    """The commons a pact is drawn at on the map: its first one with a position."""
    return next(
        (c for c in pact.commons if c.latitude is not None and c.longitude is not None), None
    )


def districts_of(pacts: list[Proposal]) -> dict[str, list[Proposal]]:
    """The pacts by district of their commons (a pact on commons of two districts counts in
    both), districts in order."""
    found: dict[str, list[Proposal]] = {}
    for pact in pacts:
        for district in sorted({c.district for c in pact.commons if c.district}):
            found.setdefault(district, []).append(pact)
    return dict(sorted(found.items()))
