"""The batches of a call and their deadlines: which one receives an application now, and the
sentence refusing a late one (it names the next deadline)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from commons.calls.models import CallApplication, CallBatch
from commons.extensions import db
from commons.formatting import format_moment


def _for_theme(batch: CallBatch, theme: str | None) -> bool:
    return not batch.themes or theme is None or theme in batch.themes


def open_batch(call, now: datetime, theme: str | None = None) -> CallBatch | None:
    """The batch whose deadline comes next for ``theme``, or None when every one has passed."""
    return next(
        (b for b in call.batches if b.deadline > now and _for_theme(b, theme)),
        None,
    )


def after_deadline(call, batch: CallBatch, now: datetime, theme: str | None) -> str:
    """Why an application cannot go in ``batch`` now: its deadline and the next one."""
    following = open_batch(call, now, theme)
    if following is None:
        return _(
            "The deadline of %(batch)s passed on %(when)s, and the call has no later deadline.",
            batch=batch.label,
            when=format_moment(batch.deadline),
        )
    return _(
        "The deadline of %(batch)s passed on %(when)s. The next deadline is %(next)s, "
        "%(next_when)s: move the application to it from its page.",
        batch=batch.label,
        when=format_moment(batch.deadline),
        next=following.label,
        next_when=format_moment(following.deadline),
    )


def late_submission(proposal, now: datetime, session=None) -> str | None:
    """None when ``proposal`` answers no call or its batch is still open, else why not."""
    session = session if session is not None else db.session
    application = session.scalar(
        select(CallApplication).where(CallApplication.proposal_id == proposal.id)
    )
    if application is None or application.batch.deadline > now:
        return None
    return after_deadline(application.call, application.batch, now, application.theme)
