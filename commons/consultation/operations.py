"""Public consultation: comments and requests to join during public notice, and moderation.

A request to join goes to the representative of the proposing group, who accepts it (the
citizen becomes a member of the group, as if added on the group's page) or declines it, with
an optional reason. Each side is told in the app and by e-mail (the outbox). A citizen asks
once per proposal; while a request waits they cannot ask the same group again through another
of its proposals, and once the group has declined they cannot ask it again at all (its
representative may still add them on the group's page).
"""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from commons import limits
from commons.audit.operations import append_event
from commons.auth.operations import add_member, normalise_email
from commons.auth.permissions import is_proponent
from commons.consultation.models import Comment, JoinRequest
from commons.db import utcnow
from commons.errors import Conflict, DomainError
from commons.extensions import db
from commons.lifecycle.states import is_tagged
from commons.links import public_base
from commons.notifications.operations import queue
from commons.proposals.models import Proposal

MAX_COMMENT = limits.COMMENT
MAX_REASON = limits.REASON


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def ensure_open(proposal, now: datetime | None = None) -> None:
    """Refuse unless the proposal is under public notice and its notice has not ended."""
    now = now or utcnow()
    if not is_tagged(proposal, "public_notice"):
        raise DomainError(_("This proposal is not under public notice."))
    if proposal.notice_ends_at is not None and _aware(proposal.notice_ends_at) < now:
        raise DomainError(_("The public notice of this proposal has ended."))


def add_comment(proposal, *, author, body: str, now: datetime | None = None) -> Comment:
    """A citizen's observation on a proposal under public notice."""
    ensure_open(proposal, now)
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write your comment."), field="body")
    if len(body) > MAX_COMMENT:
        raise DomainError(
            _("A comment may be at most %(n)d characters long.", n=MAX_COMMENT), field="body"
        )
    comment = Comment(proposal_id=proposal.id, author_id=author.id, body=body)
    db.session.add(comment)
    db.session.flush()
    return comment


def request_to_join(
    proposal, *, user, message: str = "", now: datetime | None = None
) -> JoinRequest:
    """A citizen asks to join the proposing group; the representative is told.

    Once per citizen and proposal; not while another request to the same group waits, nor
    after the group has declined one.
    """
    ensure_open(proposal, now)
    if is_proponent(user, proposal):
        raise DomainError(_("You are already in the proposing group."))
    message = (message or "").strip()
    if len(message) > MAX_COMMENT:
        raise DomainError(
            _("A message may be at most %(n)d characters long.", n=MAX_COMMENT), field="message"
        )
    earlier = db.session.scalars(
        select(JoinRequest)
        .join(Proposal, Proposal.id == JoinRequest.proposal_id)
        .where(
            JoinRequest.user_id == user.id,
            or_(
                JoinRequest.proposal_id == proposal.id,
                (Proposal.group_id == proposal.group_id)
                & JoinRequest.status.in_([JoinRequest.PENDING, JoinRequest.DECLINED]),
            ),
        )
    ).all()
    if any(r.status == JoinRequest.DECLINED for r in earlier):
        raise Conflict(
            _(
                "The group has declined your request to join, so you cannot ask again. "
                "Its representative can still add you to the group."
            )
        )
    if earlier:
        raise Conflict(_("You have already asked to join this group."))
    join = JoinRequest(proposal_id=proposal.id, user_id=user.id, message=message)
    db.session.add(join)
    db.session.flush()
    group = proposal.group
    _notify(
        join,
        "join_requested",
        recipient_id=group.representative_id,
        link=url_for("groups.detail", group_id=group.id, _anchor="join-requests"),
    )
    return join


def _for_group(group):
    return (
        select(JoinRequest)
        .join(Proposal, Proposal.id == JoinRequest.proposal_id)
        .where(Proposal.group_id == group.id)
        .options(selectinload(JoinRequest.user), selectinload(JoinRequest.proposal))
    )


def pending_for_group(group) -> list[JoinRequest]:
    """The requests to join ``group`` that wait for an answer, oldest first."""
    return db.session.scalars(
        _for_group(group)
        .where(JoinRequest.status == JoinRequest.PENDING)
        .order_by(JoinRequest.created_at, JoinRequest.id)
    ).all()


def decided_for_group(group, limit: int = 20) -> list[JoinRequest]:
    """The latest answered requests to join ``group``, newest first."""
    return db.session.scalars(
        _for_group(group)
        .where(JoinRequest.status != JoinRequest.PENDING)
        .order_by(JoinRequest.decided_at.desc(), JoinRequest.id.desc())
        .limit(limit)
    ).all()


def _ensure_pending(join: JoinRequest) -> None:
    if not join.pending:
        raise Conflict(_("This request to join has already been answered."))


def accept_join_request(join: JoinRequest, *, actor) -> JoinRequest:
    """The representative accepts: the requester becomes a member of the group, and is told."""
    _ensure_pending(join)
    group = join.proposal.group
    requester = join.user
    if not group.has_member(requester):
        email = normalise_email(requester.email)
        invited = next((m for m in group.members if m.email == email), None)
        if invited is not None and invited.user_id is None:
            # Invited by e-mail meanwhile: the invitation is taken up now.
            invited.user_id, invited.joined_at = requester.id, utcnow()
            invited.invitation_token_hash = None
        else:
            add_member(group, full_name=requester.full_name, email=email, user=requester)
    _decide(join, JoinRequest.ACCEPTED, actor=actor, reason=None)
    _notify(
        join,
        "join_accepted",
        recipient_id=requester.id,
        link=url_for("groups.detail", group_id=group.id),
    )
    return join


def decline_join_request(join: JoinRequest, *, actor, reason: str = "") -> JoinRequest:
    """The representative declines, optionally saying why; the requester is told."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise DomainError(
            _("A reason may be at most %(n)d characters long.", n=MAX_REASON), field="reason"
        )
    _ensure_pending(join)
    _decide(join, JoinRequest.DECLINED, actor=actor, reason=reason or None)
    _notify(
        join,
        "join_declined_reason" if reason else "join_declined",
        recipient_id=join.user_id,
        link=url_for("public.pact", proposal_id=join.proposal_id, _anchor="join"),
        reason=reason,
    )
    return join


def _decide(join: JoinRequest, status: str, *, actor, reason: str | None) -> None:
    join.status, join.decided_at, join.decided_by_id, join.reason = (
        status,
        utcnow(),
        actor.id,
        reason,
    )
    db.session.flush()
    payload = {
        "join_request_id": join.id,
        "user_id": join.user_id,
        "group_id": join.proposal.group_id,
    }
    if reason:
        payload["reason"] = reason
    # Not a lifecycle step, and not public: it names a citizen and may give a reason.
    append_event(
        f"join_request_{status}",
        actor=actor,
        actor_role="citizen",
        proposal=join.proposal,
        payload=payload,
        public=False,
    )


def _notify(join: JoinRequest, kind: str, *, recipient_id: int, link: str, reason: str = ""):
    """An in-app notification, e-mailed from the outbox, in the reader's language."""
    proposal = join.proposal
    params = {
        "who": join.user.full_name,
        "group": proposal.group.name,
        "title": proposal.title,
        "label": proposal.protocol_number or f"#{proposal.id}",
        "link": public_base() + link,
        "reason": reason,
    }
    # No proposal_id: the requester may not open the case page; the link says where to go.
    queue(kind, params, dedup_key=f"join:{join.id}:{kind}", recipient_id=recipient_id)
    db.session.flush()


def hide_comment(comment: Comment, *, actor, reason: str) -> Comment:
    """An officer hides a comment, with a reason recorded in the audit history."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the comment is hidden."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(
            _("A reason may be at most %(n)d characters long.", n=MAX_REASON), field="reason"
        )
    if comment.hidden_at is not None:
        raise Conflict(_("This comment is already hidden."))
    comment.hidden_at = utcnow()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = reason
    db.session.flush()
    # Not a lifecycle step: the proposal's state does not change. Not public either: the
    # reason may quote what was hidden.
    append_event(
        "comment_hidden",
        actor=actor,
        actor_role="officer",
        proposal=comment.proposal,
        payload={"comment_id": comment.id, "reason": reason},
        public=False,
    )
    return comment
