"""The deadline of the step a proposal is in, kept in ``proposals.due_at``.

The work queue filters overdue cases and sorts by urgency with an index, so the deadline of the
current step is stored, not computed per row at query time. It is recomputed before every flush
of a new or changed proposal, whichever code changed it (the engine, the clock, the importer,
the demo), so it cannot fall out of step with the clocks it is made of.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

import workflows
from commons.lifecycle.states import is_tagged, profile_named
from workflows.clocks import end_of_day


def _day_end(day: date | None) -> datetime | None:
    """A date-only deadline as the end of that day in the city's time zone."""
    if day is None:
        return None
    return end_of_day(day, workflows.engine.city_timezone())


def review_limit_days(proposal) -> int:
    return int(profile_named(proposal.profile).clocks["review_days"])


def in_review(proposal) -> bool:
    """Whether the proposal is in a state whose deadline is the statutory review limit
    (the profile's ``review`` states; the limit pauses while awaiting integration)."""
    return is_tagged(proposal, "review")


def step_due_at(proposal) -> datetime | None:
    """When the current step of ``proposal`` must be done by, or None if nothing is due."""
    status = proposal.status
    profile = profile_named(proposal.profile)
    if status in profile.tagged("review"):
        if (
            proposal.review_started_at is None
            or proposal.review_stopped_at is not None
            or proposal.review_paused_at is not None
        ):
            return None
        return proposal.review_started_at + timedelta(
            days=review_limit_days(proposal), seconds=proposal.review_paused_seconds or 0
        )
    if status in profile.tagged("awaiting_reply"):
        return proposal.integration_due_at
    if status in profile.tagged("public_notice"):
        return proposal.notice_ends_at
    if status in profile.tagged("deliberation"):
        return proposal.deliberation_due_at
    if status in profile.tagged("running"):
        dues = [
            d
            for d in (
                _day_end(proposal.next_report_due_on),
                _day_end(proposal.withdrawal_effective_on),
                _day_end(proposal.end_date),
            )
            if d is not None
        ]
        return min(dues) if dues else None
    if status in profile.tagged("renewal"):
        # A granted renewal is due too: its successor should be signed before the end.
        return _day_end(proposal.end_date)
    return None


def refresh_due_at(obj) -> None:
    """Set ``obj.due_at`` to the deadline of its current step, if it changed."""
    due = step_due_at(obj)
    if obj.due_at != due:
        obj.due_at = due


def _refresh_proposal(obj) -> None:
    from commons.proposals.models import Proposal

    if isinstance(obj, Proposal):
        refresh_due_at(obj)


def _refresh_due_dates(session: Session, flush_context, instances) -> None:
    from commons.proposals.models import Proposal

    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Proposal):
            refresh_due_at(obj)


def install() -> None:
    """Keep ``due_at`` current on every session (idempotent)."""
    if not event.contains(Session, "before_flush", _refresh_due_dates):
        event.listen(Session, "before_flush", _refresh_due_dates)
    # The engine writes a transition with a Core UPDATE, without a flush: the same, before it.
    workflows.engine.before_write(_refresh_proposal)
