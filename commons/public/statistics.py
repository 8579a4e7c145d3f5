"""Figures for the statistics page: pacts by state, district and year; time taken per stage.

Stage durations come from the audit history (when each stage began and ended) and are compared
with the limits of the proposal's regulation profile. The review is replayed like the review
clock: the time spent waiting for an integration is left out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import distinct, extract, func, select
from sqlalchemy.orm import Session

import workflows
from commons.audit.models import AuditEvent
from commons.proposals.models import Proposal, proposal_commons
from commons.registry.models import Commons
from workflows.engine import ProfileError

BATCH = 2000
DAY = 86400.0


def _profile(name: str):
    try:
        return workflows.get_profile(name)
    except ProfileError:
        return workflows.get_profile(None)


def by_state(session: Session) -> list[tuple[str, int]]:
    """Proposals that left draft, per current state, largest first."""
    rows = session.execute(
        select(Proposal.status, func.count())
        .where(Proposal.status != "draft")
        .group_by(Proposal.status)
        .order_by(func.count().desc(), Proposal.status)
    )
    return [(status, count) for status, count in rows]


def by_district(session: Session) -> list[tuple[str, int]]:
    """Proposals that left draft per district of their commons (one proposal may count in two)."""
    rows = session.execute(
        select(Commons.district, func.count(distinct(Proposal.id)))
        .join(proposal_commons, proposal_commons.c.commons_id == Commons.id)
        .join(Proposal, Proposal.id == proposal_commons.c.proposal_id)
        .where(Proposal.status != "draft", Commons.district.is_not(None))
        .group_by(Commons.district)
        .order_by(Commons.district)
    )
    return [(district, count) for district, count in rows]


def by_year(session: Session) -> list[tuple[int, int]]:
    """Proposals per year of submission."""
    year = extract("year", Proposal.submitted_at)
    rows = session.execute(
        select(year, func.count())
        .where(Proposal.status != "draft", Proposal.submitted_at.is_not(None))
        .group_by(year)
        .order_by(year)
    )
    return [(int(y), count) for y, count in rows]


@dataclass
class Stage:
    key: str
    durations: list[float] = field(default_factory=list)
    over: int = 0
    limits: set[int] = field(default_factory=set)

    def add(self, days: float, limit: int | None) -> None:
        self.durations.append(days)
        if limit is not None:
            self.limits.add(int(limit))
            if days > limit:
                self.over += 1

    @property
    def count(self) -> int:
        return len(self.durations)

    @property
    def median(self) -> float | None:
        return statistics.median(self.durations) if self.durations else None

    @property
    def share_over(self) -> float | None:
        return self.over / self.count if self.count else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# (stage, the event that opens it, the events that close it)
EVENT_STAGES = (
    ("integration", {"request_integration"}, {"integrate", "archive"}),
    ("notice", {"admit"}, {"close_notice", "reject", "withdraw"}),
    ("deliberation", {"agree_draft"}, {"record_deliberation", "reject", "withdraw"}),
)


def _limit(stage: str, profile, pact_type: str) -> int | None:
    clocks = profile.clocks
    if stage == "integration":
        return clocks["integration_reply_days"]
    if stage == "notice":
        return profile.notice_days(pact_type) if pact_type in profile.pact_types else None
    return clocks["deliberation_days"]


# The review runs from submission to admission or rejection, paused while an integration is
# awaited (as the review clock does); a proposal archived or withdrawn meanwhile has no
# finished review.
REVIEW_TRIGGERS = {"submit", "request_integration", "integrate", "admit", "reject", "archive"}
REVIEW_OPEN_STATES = {"submitted", "under_review", "awaiting_integration"}


class _Review:
    """The review clock of one proposal, replayed from its events."""

    def __init__(self):
        self.started: datetime | None = None
        self.paused_at: datetime | None = None
        self.paused = 0.0

    def step(self, trigger: str, from_state: str | None, at: datetime) -> float | None:
        """Feed one event; the review's length in days when this event finishes it."""
        if trigger == "submit":
            self.started, self.paused_at, self.paused = at, None, 0.0
        elif self.started is None:
            return None
        elif trigger == "request_integration":
            self.paused_at = at
        elif trigger == "integrate" and self.paused_at is not None:
            self.paused += (at - self.paused_at).total_seconds()
            self.paused_at = None
        elif trigger == "archive" or trigger == "withdraw":
            self.started = None
        elif trigger in ("admit", "reject") and from_state in REVIEW_OPEN_STATES:
            seconds = (at - self.started).total_seconds() - self.paused
            self.started = None
            return max(seconds, 0.0) / DAY
        return None


def _from_events(session: Session, stages: dict[str, Stage]) -> None:
    """Stages bounded by events of the audit history, replayed per proposal in chain order."""
    triggers = set(REVIEW_TRIGGERS) | {"withdraw"}
    for _, opens, closes in EVENT_STAGES:
        triggers |= opens | closes
    # Core rows on the session's connection: no ORM result processing for many events.
    rows = session.connection().execute(
        select(
            AuditEvent.proposal_id,
            AuditEvent.trigger,
            AuditEvent.from_state,
            AuditEvent.to_state,
            AuditEvent.occurred_at,
            Proposal.pact_type,
            Proposal.profile,
        )
        .join(Proposal, Proposal.id == AuditEvent.proposal_id)
        .where(AuditEvent.trigger.in_(sorted(triggers)))
        .order_by(AuditEvent.proposal_id, AuditEvent.seq)
        .execution_options(yield_per=BATCH)
    )
    current = None
    opened: dict[str, datetime] = {}
    review = _Review()
    for proposal_id, trigger, from_state, to_state, occurred_at, pact_type, profile_name in rows:
        if proposal_id != current:
            current, opened, review = proposal_id, {}, _Review()
        days = review.step(trigger, from_state, _aware(occurred_at))
        if days is not None:
            stages["review"].add(days, _profile(profile_name).clocks["review_days"])
        for key, opens, closes in EVENT_STAGES:
            # agree_draft opens the council stage only when it leads there (complex pacts).
            if trigger in opens and (key != "deliberation" or to_state == "political_approval"):
                opened[key] = _aware(occurred_at)
            elif trigger in closes and key in opened:
                days = (_aware(occurred_at) - opened.pop(key)).total_seconds() / DAY
                stages[key].add(max(days, 0.0), _limit(key, _profile(profile_name), pact_type))


def profile_limits(profile) -> dict[str, set[int]]:
    """The statutory limit of each stage in a profile (public notice: one per pact type)."""
    clocks = profile.clocks
    return {
        "review": {int(clocks["review_days"])},
        "integration": {int(clocks["integration_reply_days"])},
        "notice": {int(profile.notice_days(t)) for t in profile.pact_types},
        "deliberation": {int(clocks["deliberation_days"])},
    }


def stage_durations(session: Session, profile=None) -> list[Stage]:
    """Finished stages: review, integration reply, public notice, council deliberation.

    ``profile``: the city's regulation, whose limits are shown even for stages not yet seen.
    """
    limits = profile_limits(profile) if profile is not None else {}
    stages = {
        key: Stage(key, limits=set(limits.get(key, set())))
        for key in ("review", "integration", "notice", "deliberation")
    }
    _from_events(session, stages)
    return list(stages.values())


def bars(rows: list[tuple], width: int = 300) -> list[dict]:
    """Rows with a bar length in SVG units, scaled to the largest value."""
    top = max((value for _, value in rows), default=0) or 1
    return [
        {"label": label, "value": value, "length": round(width * value / top)}
        for label, value in rows
    ]
