"""The tick: fires time-based transitions and queues reminders, idempotently.

``commons tick`` runs it (from cron, e.g. every hour). Each run looks only at proposals whose
deadlines have come, using indexed columns; running it twice at the same time does nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

import workflows
from commons.extensions import db
from commons.formatting import city_day, day_text
from commons.lifecycle.states import status_in
from commons.notifications.models import Notification
from commons.notifications.operations import new_notification
from commons.proposals.models import Proposal
from workflows.clocks import review_elapsed


@dataclass
class TickReport:
    fired: list[tuple[str, str, str]] = field(default_factory=list)  # (protocol, trigger, to)
    notified: list[tuple[str, str]] = field(default_factory=list)  # (dedup key, kind)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (protocol, trigger, why)
    # Called after each transition fired and each message queued (see ``tick``).
    step: Callable[[], None] = field(default=lambda: None, repr=False, compare=False)


def queue_notification(
    *,
    kind: str,
    dedup_key: str,
    subject: str,
    body: str = "",
    proposal: Proposal | None = None,
    recipient_id: int | None = None,
    recipient_role: str | None = None,
    now: datetime | None = None,
    params: dict | None = None,
) -> bool:
    """Put a message in the outbox once; False when the same key is already queued."""
    exists = db.session.scalar(select(Notification.id).where(Notification.dedup_key == dedup_key))
    if exists:
        return False
    try:
        with db.session.begin_nested():
            new_notification(
                kind=kind,
                dedup_key=dedup_key,
                subject=subject,
                body=body,
                params=params,
                proposal_id=proposal.id if proposal else None,
                recipient_id=recipient_id,
                recipient_role=recipient_role,
                created_at=now,
            )
    except IntegrityError:  # queued by a concurrent tick in the meantime
        return False
    return True


def _label(p: Proposal) -> str:
    return p.protocol_number or f"#{p.id}"


def _fire_due(report: TickReport, proposals, trigger: str, now: datetime) -> None:
    for proposal in proposals:
        try:
            with db.session.begin_nested():  # a refused firing leaves nothing behind
                event = workflows.fire(proposal, trigger, workflows.SYSTEM, now=now)
        except workflows.WorkflowError as error:
            report.refused.append((_label(proposal), trigger, error.message))
            continue
        report.step()
        report.fired.append((_label(proposal), trigger, event.to_state))
        if trigger == "open_renewal":
            _notify(
                report,
                kind="renewal_open",
                key=f"renewal_open:{proposal.id}",
                subject=f"Renewal of pact {_label(proposal)} is open",
                body="File the final monitoring report so the city can decide on renewal.",
                proposal=proposal,
                recipient_id=proposal.representative_id,
                now=now,
            )


def _notify(
    report: TickReport,
    *,
    kind: str,
    key: str,
    subject: str,
    body: str,
    proposal: Proposal,
    now: datetime,
    recipient_id=None,
    recipient_role=None,
    params: dict | None = None,
) -> None:
    # The values the message is made of, so it can be written in each reader's language.
    params = {"label": _label(proposal), "title": proposal.title, **(params or {})}
    if queue_notification(
        kind=kind,
        dedup_key=key,
        subject=subject,
        body=body,
        proposal=proposal,
        recipient_id=recipient_id,
        recipient_role=recipient_role,
        now=now,
        params=params,
    ):
        report.step()
        report.notified.append((key, kind))


def tick(now: datetime, *, step: Callable[[], None] | None = None) -> TickReport:
    """Fire every time-based transition that is due at ``now`` and queue reminders.

    Like every operation it only flushes. ``step`` is called after each transition fired and
    each message queued: the tick's entry point passes :func:`commons.transactions.commit_step`
    so each one is kept even if a later one fails. A refused transition is rolled back to its
    savepoint and reported, and the tick goes on.
    """
    report = TickReport(step=step or db.session.flush)
    q = db.session.scalars

    # Integration replies not received in time: the proposal is archived.
    _fire_due(
        report,
        q(select(Proposal).where(_clock_leaves("archive"), Proposal.integration_due_at < now)),
        "archive",
        now,
    )
    # Public notice windows that have ended.
    _fire_due(
        report,
        q(select(Proposal).where(_clock_leaves("close_notice"), Proposal.notice_ends_at < now)),
        "close_notice",
        now,
    )

    today = now.astimezone(_zone()).date()
    # Withdrawals from active pacts whose notice has elapsed.
    _fire_due(
        report,
        q(
            select(Proposal).where(
                _clock_leaves("complete_withdrawal"),
                Proposal.withdrawal_effective_on <= today,
            )
        ),
        "complete_withdrawal",
        now,
    )
    # Renewed pacts hand over once their term is over and the successor is signed (the day
    # after the end, or at the successor's last signature if that comes later).
    successor = aliased(Proposal)
    signed, ended = _state_sets()
    _fire_due(
        report,
        q(
            select(Proposal).where(
                _clock_leaves("complete_renewal"),
                Proposal.end_date < today,
                select(successor.id)
                .where(successor.predecessor_id == Proposal.id, successor.status.in_(signed))
                .exists(),
            )
        ),
        "complete_renewal",
        now,
    )
    # Pacts past their end date expire (before the renewal window is considered), unless a
    # renewal is under way: the pact then stays in force until its successor is signed.
    _fire_due(
        report,
        q(
            select(Proposal).where(
                _clock_leaves("expire"),
                Proposal.end_date < today,
                ~select(successor.id)
                .where(successor.predecessor_id == Proposal.id, successor.status.not_in(ended))
                .exists(),
            )
        ),
        "expire",
        now,
    )
    # Renewal windows opening: each profile says how many days before the end.
    for name in workflows.profile_names():
        profile = workflows.get_profile(name)
        days = int(profile.clocks["renewal_window_days"])
        opening = profile.sources("open_renewal", "system")
        if not opening:
            continue
        _fire_due(
            report,
            q(
                select(Proposal).where(
                    Proposal.profile == name,
                    Proposal.status.in_(sorted(opening))
                    if len(opening) > 1
                    else Proposal.status == next(iter(opening)),
                    Proposal.withdrawal_effective_on.is_(None),
                    Proposal.end_date <= today + timedelta(days=days),
                )
            ),
            "open_renewal",
            now,
        )

    _flag_overdue(report, now, today)
    return report


def _state_sets() -> tuple[list[str], list[str]]:
    """The states in force and the terminal states, over every profile."""
    in_force: set[str] = set()
    terminal: set[str] = set()
    for name in workflows.profile_names():
        profile = workflows.get_profile(name)
        in_force |= profile.in_force
        terminal |= profile.terminal
    return sorted(in_force), sorted(terminal)


def _clock_leaves(trigger: str):
    """The proposals in a state the clock's ``trigger`` leaves, in their own profile."""
    return status_in(lambda profile: profile.sources(trigger, "system"))


def _zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo(workflows.engine.city_timezone())


def _flag_overdue(report: TickReport, now: datetime, today) -> None:
    q = db.session.scalars
    # Reviews past the statutory limit escalate to the legal officer (once per proposal).
    for p in q(
        select(Proposal).where(
            status_in(lambda profile: profile.tagged("review")),
            Proposal.review_started_at.is_not(None),
        )
    ):
        limit = int(workflows.get_profile(p.profile).clocks["review_days"])
        if review_elapsed(p, now) > timedelta(days=limit):
            _notify(
                report,
                kind="review_overdue",
                key=f"review_overdue:{p.id}",
                subject=f"Review of {_label(p)} is past the {limit}-day limit",
                body=f"{p.title}: the review has taken more than {limit} days.",
                proposal=p,
                recipient_role="legal",
                now=now,
                params={"limit": limit},
            )
    # Council deliberations overdue.
    for p in q(
        select(Proposal).where(
            status_in(lambda profile: profile.tagged("deliberation")),
            Proposal.deliberation_due_at < now,
        )
    ):
        _notify(
            report,
            kind="deliberation_overdue",
            key=f"deliberation_overdue:{p.id}",
            subject=f"Council deliberation on {_label(p)} is overdue",
            body=p.title,
            proposal=p,
            recipient_role="legal",
            now=now,
            params={"due": city_day(p.deliberation_due_at).isoformat()},
        )
    # Monitoring reports overdue: the representative and the case officer are reminded.
    for p in q(
        select(Proposal).where(
            status_in(lambda profile: profile.tagged("running")),
            Proposal.next_report_due_on < today,
        )
    ):
        due = p.next_report_due_on.isoformat()
        for key, recipient in (
            ("report_overdue", p.representative_id),
            ("report_overdue_office", p.case_officer_id),
        ):
            if recipient:
                _notify(
                    report,
                    kind="report_overdue",
                    key=f"{key}:{p.id}:{due}",
                    subject=f"Monitoring report for {_label(p)} was due on "
                    f"{day_text(p.next_report_due_on, 'en')}",
                    body=p.title,
                    proposal=p,
                    recipient_id=recipient,
                    now=now,
                    params={"due": due},
                )
    # Integration replies due within a week: remind the representative once.
    for p in q(
        select(Proposal).where(
            status_in(lambda profile: profile.tagged("awaiting_reply")),
            Proposal.integration_due_at <= now + timedelta(days=7),
        )
    ):
        due = city_day(p.integration_due_at)
        _notify(
            report,
            kind="integration_due",
            key=f"integration_due:{p.id}:{due.isoformat()}",
            subject=f"Answer the office's request on {_label(p)} by {day_text(due, 'en')}",
            body="Without an answer the proposal is archived.",
            proposal=p,
            recipient_id=p.representative_id,
            now=now,
            params={"due": due.isoformat()},
        )
