"""In-app notifications: what a person sees, and marking it read."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from commons.db import utcnow
from commons.extensions import db
from commons.notifications.messages import english
from commons.notifications.models import Notification


def new_notification(
    *,
    kind: str,
    dedup_key: str,
    subject: str,
    body: str = "",
    params: dict | None = None,
    proposal_id: int | None = None,
    recipient_id: int | None = None,
    recipient_role: str | None = None,
    recipient_email: str | None = None,
    created_at=None,
) -> Notification:
    """Make a notification and add it to the session: the one place that builds one.

    Address it to a person (``recipient_id``), every holder of a role (``recipient_role``) or
    an e-mail address without an account (``recipient_email``, an invitation). The subject is
    cut to its column's 300 characters; ``created_at`` defaults to now.
    """
    note = Notification(
        kind=kind,
        dedup_key=dedup_key,
        subject=subject[:300],
        body=body,
        params=params or {},
        proposal_id=proposal_id,
        recipient_id=recipient_id,
        recipient_role=recipient_role,
        recipient_email=recipient_email,
    )
    if created_at is not None:
        note.created_at = created_at
    db.session.add(note)
    return note


def queue(kind: str, params: dict, *, dedup_key: str, **fields) -> Notification:
    """Add a notification of ``kind`` to the session: in-app, and e-mailed from the outbox.

    Its stored subject and body are the English text (messages.english); each reader sees it in
    their own language from ``kind`` and ``params``. ``fields``: recipient_id / recipient_role,
    proposal_id, created_at.
    """
    subject, body = english(kind, params)
    return new_notification(
        kind=kind, dedup_key=dedup_key, subject=subject, body=body, params=params, **fields
    )


def addressed_to(user):
    """SQL condition: notifications for ``user`` in person or for a role they hold."""
    roles = sorted(str(r) for r in user.roles)
    condition = Notification.recipient_id == user.id
    if roles:
        condition = or_(
            condition,
            and_(Notification.recipient_id.is_(None), Notification.recipient_role.in_(roles)),
        )
    return condition


def unread_count(user) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(addressed_to(user), Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(note: Notification) -> None:
    """Mark one notification read. One addressed to a role is read for the whole role:
    the role's notifications are a shared inbox (someone in the office has seen to it)."""
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; return how many."""
    notes = db.session.scalars(
        select(Notification).where(addressed_to(user), Notification.read_at.is_(None))
    ).all()
    now = utcnow()
    for note in notes:
        note.read_at = now
    db.session.flush()
    return len(notes)
