"""Public consultation: comments and requests to join during public notice, and moderation."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from commons.audit.operations import append_event
from commons.auth.permissions import is_proponent
from commons.db import utcnow
from commons.errors import Conflict, DomainError
from commons.extensions import db
from commons.public.models import Comment, JoinRequest

MAX_COMMENT = 4000
MAX_REASON = 1000


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def ensure_open(proposal, now: datetime | None = None) -> None:
    """Refuse unless the proposal is under public notice and its notice has not ended."""
    now = now or utcnow()
    if proposal.status != "public_notice":
        raise DomainError(_("This proposal is not under public notice."))
    if proposal.notice_ends_at is not None and _aware(proposal.notice_ends_at) <= now:
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
    """A citizen asks to join the proposing group; once per citizen and proposal."""
    ensure_open(proposal, now)
    if is_proponent(user, proposal):
        raise DomainError(_("You are already in the proposing group."))
    message = (message or "").strip()
    if len(message) > MAX_COMMENT:
        raise DomainError(
            _("A message may be at most %(n)d characters long.", n=MAX_COMMENT), field="message"
        )
    existing = db.session.scalar(
        select(JoinRequest).where(
            JoinRequest.proposal_id == proposal.id, JoinRequest.user_id == user.id
        )
    )
    if existing is not None:
        raise Conflict(_("You have already asked to join this group."))
    join = JoinRequest(proposal_id=proposal.id, user_id=user.id, message=message)
    db.session.add(join)
    db.session.flush()
    return join


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
