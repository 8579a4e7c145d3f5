"""Changes to offers and needs: posting, the office's moderation, closing, and the "I can
help" answers. Each change appends an audit event (sentences in
commons/audit/sentences_offers.py) and tells whoever must know through the notification
outbox; the operations flush, the entry point commits.

Moderation and closing lock the post's row before they look at its state (PostgreSQL; SQLite
has one writer at a time): two officers pressing Publish and Reject at once are served one
after the other, and the second is told the post was moderated already.
"""

from __future__ import annotations

from datetime import datetime

import phonenumbers
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from commons import limits
from commons.audit.operations import append_event
from commons.auth.models import Role, User
from commons.db import utcnow
from commons.errors import Conflict, DomainError
from commons.extensions import db
from commons.formatting import format_day
from commons.inputs import refuse_bidi_controls
from commons.links import public_link
from commons.notifications.operations import queue
from commons.offers.models import ClosedAs, HelpResponse, Post, PostCategory, PostKind, PostStatus
from commons.proposals.models import Proposal
from commons.proposals.standing import standing
from commons.registry.models import Commons
from commons.versioning import lock_row


def _text(value: str | None, *, field: str, limit: int, required: str | None = None) -> str:
    value = (value or "").strip()
    if not value and required:
        raise DomainError(required, field=field)
    if len(value) > limit:
        raise DomainError(limits.too_long(limit, len(value)), field=field)
    return value


def _role(actor: User) -> str:
    return Role.OFFICER.value if actor.has_role(Role.OFFICER) else Role.CITIZEN.value


def _payload(post: Post, **more) -> dict:
    return {
        "post_id": post.id,
        "kind": post.kind,
        "category": post.category,
        "name": post.title,
        "commons_id": post.commons_id,
        **({"pact_id": post.proposal_id} if post.proposal_id else {}),
        **({"group_id": post.group_id} if post.group_id else {}),
        **more,
    }


def _notify(post: Post, kind: str, key: str, **params) -> None:
    """An in-app notification (e-mailed from the outbox) about ``post``, in the reader's
    language; ``recipient_id`` or ``recipient_role`` say to whom."""
    recipient = {k: params.pop(k) for k in ("recipient_id", "recipient_role") if k in params}
    values = {
        "title": post.title,
        "link": public_link("offers.detail", post_id=post.id),
        **params,
    }
    queue(kind, values, dedup_key=f"offer:{post.id}:{key}", **recipient)


def pact_in_force(proposal: Proposal | None) -> bool:
    """A pact a post may be about: one in force today."""
    return proposal is not None and standing(proposal).in_force


def post(
    *,
    author: User,
    group=None,
    kind: str,
    category: str,
    title: str,
    description: str,
    quantity: str | None = None,
    timing: str | None = None,
    commons: Commons | None = None,
    pact: Proposal | None = None,
    now: datetime | None = None,
) -> Post:
    """A new offer or need, waiting for the office's moderation.

    It is for ``group`` (None: for the city) and about ``commons`` or about ``pact`` (a pact
    in force; the post is then placed on the pact's first commons, unless ``commons`` names
    another of its commons). Refused, naming the field, when something is missing or wrong.
    """
    now = now or utcnow()
    if kind not in {k.value for k in PostKind}:
        raise DomainError(_("Say whether you offer something or need something."), field="kind")
    if category not in {c.value for c in PostCategory}:
        raise DomainError(_("Choose what it is about."), field="category")
    title = _text(title, field="title", limit=limits.NAME, required=_("Give it a short title."))
    refuse_bidi_controls(title, "title")
    description = _text(
        description,
        field="description",
        limit=limits.PARAGRAPH,
        required=_("Say what is offered or needed, and for what."),
    )
    quantity = _text(quantity, field="quantity", limit=limits.SHORT) or None
    timing = _text(timing, field="timing", limit=limits.NAME) or None
    if pact is not None:
        if not pact_in_force(pact):
            raise DomainError(
                _("Offers and needs can be tied only to a pact in force."), field="place"
            )
        if commons is None or commons.id not in {c.id for c in pact.commons}:
            if not pact.commons:
                raise DomainError(_("This pact names no commons."), field="place")
            commons = pact.commons[0]
    if commons is None:
        raise DomainError(_("Choose the commons or the pact it is about."), field="place")
    item = Post(
        kind=kind,
        category=category,
        title=title,
        description=description,
        quantity=quantity,
        timing=timing,
        commons=commons,
        proposal=pact,
        group=group,
        author_id=author.id,
        status=PostStatus.PENDING.value,
        created_at=now,
        updated_at=now,
    )
    db.session.add(item)
    db.session.flush()
    append_event(
        "offer_posted",
        actor=author,
        actor_role=Role.OFFICER.value if group is None else Role.CITIZEN.value,
        payload=_payload(item),
        public=False,
        occurred_at=now,
    )
    _notify(item, "offer_to_moderate", "pending", recipient_role=Role.OFFICER.value)
    return item


def _already_moderated(item: Post) -> Conflict:
    who = item.moderated_by.full_name if item.moderated_by else _("someone")
    when = format_day(item.moderated_at) if item.moderated_at else ""
    if item.status == PostStatus.REJECTED:
        return Conflict(
            _(
                "This post was already moderated: %(who)s decided not to publish it on "
                "%(when)s. Nothing was changed.",
                who=who,
                when=when,
            )
        )
    if item.moderated_at is None:  # closed before anyone moderated it
        return Conflict(_("This post was withdrawn by its author meanwhile. Nothing was changed."))
    return Conflict(
        _(
            "This post was already moderated: %(who)s published it on %(when)s. Nothing was "
            "changed.",
            who=who,
            when=when,
        )
    )


def publish(item: Post, *, actor: User, now: datetime | None = None) -> Post:
    """The office publishes a pending post: it appears in the public list and on the map."""
    now = now or utcnow()
    lock_row(item)
    if item.status != PostStatus.PENDING:
        raise _already_moderated(item)
    item.status = PostStatus.PUBLISHED.value
    item.moderated_by_id, item.moderated_at, item.published_at = actor.id, now, now
    db.session.flush()
    append_event(
        "offer_published",
        actor=actor,
        actor_role=Role.OFFICER.value,
        payload=_payload(item),
        occurred_at=now,
    )
    _notify(item, "offer_published", "published", recipient_id=item.author_id)
    return item


def reject(item: Post, *, actor: User, reason: str, now: datetime | None = None) -> Post:
    """The office declines to publish a pending post, saying why (its author is told)."""
    now = now or utcnow()
    reason = _text(
        reason,
        field="reason",
        limit=limits.REASON,
        required=_("Say why the post is not published: its author reads it."),
    )
    lock_row(item)
    if item.status != PostStatus.PENDING:
        raise _already_moderated(item)
    item.status = PostStatus.REJECTED.value
    item.moderated_by_id, item.moderated_at, item.rejection_reason = actor.id, now, reason
    db.session.flush()
    append_event(
        "offer_rejected",
        actor=actor,
        actor_role=Role.OFFICER.value,
        payload=_payload(item, reasons=reason),
        public=False,
        occurred_at=now,
    )
    _notify(
        item,
        "offer_rejected",
        PostStatus.REJECTED.value,
        recipient_id=item.author_id,
        reasons=reason,
    )
    return item


def close(item: Post, *, actor: User, closed_as: str, now: datetime | None = None) -> Post:
    """Close a post: fulfilled (a published one got what it asked, or gave what it offered)
    or withdrawn (published or still pending)."""
    now = now or utcnow()
    if closed_as not in {c.value for c in ClosedAs}:
        raise DomainError(_("Say whether it was fulfilled or is withdrawn."), field="closed_as")
    lock_row(item)
    if item.status in (PostStatus.CLOSED, PostStatus.REJECTED):
        raise Conflict(_("This post is closed already. Nothing was changed."))
    if item.status == PostStatus.PENDING and closed_as == ClosedAs.FULFILLED:
        raise DomainError(
            _("A post not yet published cannot be fulfilled: withdraw it instead."),
            field="closed_as",
        )
    was_published = item.status == PostStatus.PUBLISHED
    item.status, item.closed_as = PostStatus.CLOSED.value, closed_as
    item.closed_by_id, item.closed_at = actor.id, now
    db.session.flush()
    append_event(
        "offer_closed",
        actor=actor,
        # A group's member closing the group's post acts as a citizen; the office as itself.
        actor_role=Role.CITIZEN.value
        if item.group_id is not None and actor.id == item.author_id
        else _role(actor),
        payload=_payload(item, closed_as=closed_as),
        public=was_published,
        occurred_at=now,
    )
    return item


def phone_number(raw: str | None) -> str | None:
    """A phone number as typed, checked and written in international form; None if empty.

    A number without its international prefix is read as one of the city's country
    (``COMMONS_CITY_COUNTRY``)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    problem = _(
        "This is not a phone number we can read: write it with its prefix, e.g. +39 051 123 4567."
    )
    if len(raw) > limits.PHONE:
        raise DomainError(problem, field="phone")
    region = (current_app.config.get("CITY_COUNTRY") or "IT").upper()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise DomainError(problem, field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError(problem, field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def response_of(item: Post, user) -> HelpResponse | None:
    """The answer ``user`` gave to ``item``, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(HelpResponse).where(HelpResponse.post_id == item.id, HelpResponse.user_id == user.id)
    )


def _answered_already(earlier: HelpResponse | None) -> DomainError:
    if earlier is None:
        return Conflict(_("You have already said you can help with this post."))
    return Conflict(
        _(
            "You already said you can help with this post, on %(day)s: the poster has your "
            "message.",
            day=format_day(earlier.created_at),
        )
    )


def respond(
    item: Post,
    *,
    user: User,
    message: str,
    phone: str | None = None,
    now: datetime | None = None,
) -> HelpResponse:
    """Someone says "I can help": their message and how to reach them go to the poster
    (notified), and to nobody else. One answer a person a post."""
    now = now or utcnow()
    if item.status != PostStatus.PUBLISHED:
        raise Conflict(_("This post is no longer open to answers."))
    if item.author_id == user.id:
        raise DomainError(_("This is your own post."))
    message = _text(
        message,
        field="message",
        limit=limits.REASON,
        required=_("Say briefly how you can help."),
    )
    phone = phone_number(phone)
    earlier = response_of(item, user)
    if earlier is not None:
        raise _answered_already(earlier)
    answer = HelpResponse(
        post_id=item.id, user_id=user.id, message=message, phone=phone, created_at=now
    )
    try:
        with db.session.begin_nested():  # the same person sending twice at once: one lands
            db.session.add(answer)
            db.session.flush()
    except IntegrityError:
        raise _answered_already(response_of(item, user)) from None
    append_event(
        "offer_responded",
        actor=user,
        actor_role=Role.CITIZEN.value,
        payload={"post_id": item.id, "response_id": answer.id, "user_id": user.id},
        public=False,
        occurred_at=now,
    )
    _notify(
        item,
        "offer_response",
        f"response:{answer.id}",
        recipient_id=item.author_id,
        who=user.full_name,
        message=message,
    )
    return answer
