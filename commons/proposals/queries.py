"""Reads about proposals that several entry points need, written once."""

from __future__ import annotations

from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.extensions import db


def repeated_firing(proposal, trigger: str, actor, expected_version: int | None):
    """The event of a firing that this request repeats (a double click), or None.

    A request repeats a firing when the proposal's last transition is ``trigger`` by
    ``actor``, fired from the very version the request was made from (the engine records it
    as ``from_version``): no other transition has happened since. Such a request is answered
    as the first one was, instead of with "changed by someone else" or "not your turn".
    Events that are not transitions (``from_state`` empty), such as the summary the engine's
    hook publishes right after an admission, do not hide the firing before them.
    """
    if expected_version is None or actor is None or not getattr(actor, "id", None):
        return None
    last = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.proposal_id == proposal.id, AuditEvent.from_state.is_not(None))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    if last is None or last.trigger != trigger or last.actor_id != actor.id:
        return None
    if (last.payload or {}).get("from_version") != expected_version:
        return None
    return last
