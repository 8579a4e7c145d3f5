"""Figures for the statistics page: pacts by state, district and year; time taken per stage.

Stage durations come from the audit history (when each stage began and ended) and are compared
with the limits of the proposal's regulation profile. The review is replayed like the review
clock: the time spent waiting for an integration is left out.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import (
    BigInteger,
    case,
    cast,
    distinct,
    extract,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

import workflows
from commons.audit.models import AuditChainHead, AuditEvent
from commons.lifecycle.states import in_any_profile, profile_named
from commons.proposals.models import Proposal, proposal_commons
from commons.registry.models import Commons
from workflows.engine import ProfileError


def by_state(session: Session) -> list[tuple[str, int]]:
    """Proposals that left draft, per current state, largest first."""
    rows = session.execute(
        select(Proposal.status, func.count())
        .where(Proposal.is_public)
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
        .where(Proposal.is_public, Commons.district.is_not(None))
        .group_by(Commons.district)
        .order_by(Commons.district)
    )
    return [(district, count) for district, count in rows]


def by_year(session: Session) -> list[tuple[int, int]]:
    """Proposals per year of submission."""
    year = extract("year", Proposal.submitted_at)
    rows = session.execute(
        select(year, func.count())
        .where(Proposal.is_public, Proposal.submitted_at.is_not(None))
        .group_by(year)
        .order_by(year)
    )
    return [(int(y), count) for y, count in rows]


@dataclass
class Stage:
    """One stage's finished durations: how many, their median in days, how many went past
    their limit, and the limits met (a stage may have one per regulation and pact type)."""

    key: str
    count: int = 0
    median: float | None = None
    over: int = 0
    limits: set[int] = field(default_factory=set)

    @property
    def share_over(self) -> float | None:
        return self.over / self.count if self.count else None


# (stage, the event that opens it, the events that close it)
EVENT_STAGES = (
    ("integration", {"request_integration"}, {"integrate", "archive"}),
    ("notice", {"admit"}, {"close_notice", "reject", "withdraw"}),
    ("deliberation", {"agree_draft"}, {"record_deliberation", "reject", "withdraw"}),
)


# The review runs from submission to admission or rejection, paused while an integration is
# awaited (as the review clock does); a proposal archived or withdrawn meanwhile has no
# finished review.
def review_open_states() -> frozenset[str]:
    """The states of a running review (or one paused for a reply), in any profile."""
    return in_any_profile(lambda p: p.tagged("review") | p.tagged("awaiting_reply"))


REVIEW_TRIGGERS = ("submit", "request_integration", "integrate", "admit", "reject")
REVIEW_STOPS = ("archive", "withdraw")

MICROSECONDS = 1_000_000
DAY_US = 86_400 * MICROSECONDS


def _us(column, dialect: str):
    """A timestamp as whole microseconds since 1970, in SQL: differences are exact integers,
    as Python's timedelta is, so a stage of exactly its limit is never counted past it."""
    if dialect == "postgresql":
        return cast(extract("epoch", column) * MICROSECONDS, BigInteger)
    # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" (SQLAlchemy's format): seconds, then micro.
    return cast(func.strftime("%s", func.substr(column, 1, 19)), BigInteger) * MICROSECONDS + (
        cast(func.substr(column, 21, 6), BigInteger)
    )


def _between(start, end, dialect: str):
    """Microseconds from ``start`` to ``end``; computed only for the rows that need it."""
    return _us(end, dialect) - _us(start, dialect)


STAGES = ("review", "integration", "notice", "deliberation")


def _all_events():
    """Every audit event of a proposal that opens, closes or pauses a stage, read once and
    kept (a materialised common table expression) for the four stages to share."""
    triggers = {*REVIEW_TRIGGERS, *REVIEW_STOPS}
    for _, opens, closes in EVENT_STAGES:
        triggers |= opens | closes
    return (
        select(
            AuditEvent.proposal_id,
            AuditEvent.seq,
            AuditEvent.trigger,
            AuditEvent.from_state,
            AuditEvent.to_state,
            AuditEvent.occurred_at.label("t"),
        )
        .where(AuditEvent.proposal_id.is_not(None), AuditEvent.trigger.in_(sorted(triggers)))
        .cte("stage_events")
        .prefix_with("MATERIALIZED")
    )


def _events(events, triggers, *extra):
    """Those of ``events`` with these triggers."""
    return select(
        events.c.proposal_id, events.c.seq, events.c.trigger, events.c.from_state, events.c.t
    ).where(events.c.trigger.in_(sorted(triggers)), *extra)


def _not_negative(value):
    return case((value < 0, 0), else_=value)


def _event_stage(events, dialect: str, opens: set, closes: set, key: str):
    """(proposal_id, us) of each finished stage: a closing event whose previous event of the
    stage, in the proposal's chain order, opened it (as a replay would: each opening restarts
    the stage, each closing ends the one open)."""
    extra = []
    if key == "deliberation":
        # agree_draft opens the council stage only when it leads there (complex pacts).
        extra.append(
            (events.c.trigger != "agree_draft")
            | events.c.to_state.in_(sorted(in_any_profile(lambda p: p.tagged("deliberation"))))
        )
    ev = _events(events, opens | closes, *extra).subquery("ev")
    opening = ev.c.trigger.in_(sorted(opens))
    steps = select(
        ev.c.proposal_id,
        ev.c.t,
        opening.label("opening"),
        # The time of the previous event of the stage if it opened the stage, else NULL.
        func.lag(case((opening, ev.c.t)))
        .over(partition_by=ev.c.proposal_id, order_by=ev.c.seq)
        .label("opened"),
    ).subquery("steps")
    return select(
        steps.c.proposal_id,
        _not_negative(_between(steps.c.opened, steps.c.t, dialect)).label("us"),
    ).where(~steps.c.opening, steps.c.opened.is_not(None))


def _review_stage(events, dialect: str):
    """(proposal_id, us) of each finished review, the time awaiting an integration left out.

    A review starts at a submission and stops at the next of: admission or rejection while
    under review (a finished review), archiving, withdrawal, another submission (which starts
    it again). While it runs, an integration answered right after its request pauses the
    clock from the request to the answer, as the review clock does. An admission or
    rejection outside the review touches no clock and is left out.
    """
    ends = ("admit", "reject")
    clock = ("request_integration", "integrate")
    ev = _events(
        events,
        {*REVIEW_TRIGGERS, *REVIEW_STOPS},
        events.c.trigger.not_in(ends) | events.c.from_state.in_(sorted(review_open_states())),
    ).subquery("ev")
    by_seq = {"partition_by": ev.c.proposal_id, "order_by": ev.c.seq}
    # 1. Each answer to an integration, with the time of the request right before it.
    paired = select(
        ev.c.proposal_id,
        ev.c.seq,
        ev.c.trigger,
        ev.c.t,
        func.lag(case((ev.c.trigger == "request_integration", ev.c.t)))
        .over(**by_seq)
        .label("asked"),
    ).subquery("paired")
    pause = case(
        (
            (paired.c.trigger == "integrate") & paired.c.asked.is_not(None),
            _between(paired.c.asked, paired.c.t, dialect),
        ),
        else_=0,
    )
    # 2. The pauses so far in the proposal's history, at each event.
    by_seq = {"partition_by": paired.c.proposal_id, "order_by": paired.c.seq}
    paused = select(
        paired.c.proposal_id,
        paired.c.seq,
        paired.c.trigger,
        paired.c.t,
        func.sum(pause).over(**by_seq, rows=(None, 0)).label("paused"),
    ).subquery("paused")
    # 3. Among the events that start or stop a review: an end right after a submission is a
    # finished review; its length is its time less its pauses, minus the same at submission.
    clock_free = _us(paused.c.t, dialect) - paused.c.paused
    bounds = select(
        paused.c.proposal_id,
        paused.c.trigger,
        clock_free.label("clock"),
        func.lag(case((paused.c.trigger == "submit", clock_free)))
        .over(partition_by=paused.c.proposal_id, order_by=paused.c.seq)
        .label("started"),
    ).where(paused.c.trigger.not_in(clock))
    bounds = bounds.subquery("bounds")
    return select(
        bounds.c.proposal_id, _not_negative(bounds.c.clock - bounds.c.started).label("us")
    ).where(bounds.c.trigger.in_(ends), bounds.c.started.is_not(None))


def _profiles_known() -> dict:
    profiles = {}
    for name in workflows.profile_names():
        try:
            profiles[name] = workflows.get_profile(name)
        except ProfileError:
            continue
    return profiles


def _limit_expression(stage_column):
    """Each duration's limit in days: by its stage, its proposal's regulation profile (an
    unknown profile counts as the default one) and, for the public notice, its pact type."""
    profiles = _profiles_known()
    default = profile_named(None)
    unknown = Proposal.profile.not_in(list(profiles)) if profiles else true()
    whens = []
    for key in STAGES:
        is_key = stage_column == key
        for condition, profile in [
            *((Proposal.profile == name, p) for name, p in profiles.items()),
            (unknown, default),
        ]:
            if key == "notice":
                for pact_type in profile.pact_types:
                    value = _limit(key, profile, pact_type)
                    if value is not None:
                        whens.append(
                            (is_key & condition & (Proposal.pact_type == pact_type), int(value))
                        )
            else:
                value = _limit(key, profile, None)
                if value is not None:
                    whens.append((is_key & condition, int(value)))
    return case(*whens, else_=null()) if whens else null()


def _limit(stage: str, profile, pact_type: str | None) -> int | None:
    clocks = profile.clocks
    if stage == "review":
        return clocks["review_days"]
    if stage == "integration":
        return clocks["integration_reply_days"]
    if stage == "notice":
        return profile.notice_days(pact_type) if pact_type in profile.pact_types else None
    return clocks["deliberation_days"]


def _summary(dialect: str):
    """One statement for the four stages: a row (stage, limit, count, count past it) per limit
    met, and a row (stage, median) per stage. The events are read once; the durations are
    found and aggregated by the database and never leave it."""
    events = _all_events()
    queries = [("review", _review_stage(events, dialect))]
    for key, opens, closes in EVENT_STAGES:
        queries.append((key, _event_stage(events, dialect, opens, closes, key)))
    parts = []
    for key, query in queries:
        found = query.subquery(f"{key}_durations")
        parts.append(select(literal(key).label("stage"), found.c.proposal_id, found.c.us))
    durations = union_all(*parts).subquery("durations")
    limited = (
        select(
            durations.c.stage,
            durations.c.us,
            _limit_expression(durations.c.stage).label("days"),
        )
        .join(Proposal, Proposal.id == durations.c.proposal_id)
        .cte("limited")
        .prefix_with("MATERIALIZED")
    )
    day = literal(DAY_US, BigInteger)
    by_limit = select(
        limited.c.stage,
        limited.c.days,
        func.count().label("n"),
        func.sum(case((limited.c.us > limited.c.days * day, 1), else_=0)).label("over"),
        null().label("middle"),
    ).group_by(limited.c.stage, limited.c.days)
    if dialect == "postgresql":
        medians = [
            select(
                limited.c.stage,
                null(),
                null(),
                null(),
                func.percentile_cont(0.5).within_group(limited.c.us),
            ).group_by(limited.c.stage)
        ]
    else:
        # SQLite has no percentile: the mean of the one or two middle durations in order.
        medians = []
        for key in STAGES:
            n = select(func.count()).where(limited.c.stage == key).scalar_subquery()
            middle_rows = (
                select(limited.c.us)
                .where(limited.c.stage == key)
                .order_by(limited.c.us)
                .limit(2 - n % 2)
                .offset((n - 1) // 2)
                .subquery(f"{key}_middle")
            )
            middle = select(func.avg(middle_rows.c.us)).scalar_subquery()
            medians.append(select(literal(key), null(), null(), null(), middle))
    return union_all(by_limit, *medians)


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
    One statement finds and aggregates them all: no event is loaded.
    """
    limits = profile_limits(profile) if profile is not None else {}
    stages = {key: Stage(key, limits=set(limits.get(key, set()))) for key in STAGES}
    dialect = session.get_bind().dialect.name
    for key, days, count, over, middle in session.execute(_summary(dialect)):
        stage = stages[key]
        if count is None:
            stage.median = float(middle) / DAY_US if middle is not None else None
            continue
        stage.count += count
        if days is not None:
            stage.limits.add(int(days))
            stage.over += int(over or 0)
    return list(stages.values())


def bars(rows: list[tuple], width: int = 300) -> list[dict]:
    """Rows with a bar length in SVG units, scaled to the largest value."""
    top = max((value for _, value in rows), default=0) or 1
    return [
        {"label": label, "value": value, "length": round(width * value / top)}
        for label, value in rows
    ]


# --- the page's figures, kept until the history moves -------------------------------------------

# The longest a process shows figures computed earlier, for changes written without an audit
# event (a bulk load by hand): every change the application makes appends one.
CACHE_SECONDS = 600.0


@dataclass(frozen=True)
class Figures:
    """Everything the statistics page shows, as of one state of the audit chain."""

    states: list[tuple[str, int]]
    districts: list[tuple[str, int]]
    years: list[tuple[int, int]]
    stages: list[Stage]
    head_seq: int


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple | None = None
        self.made = 0.0
        self.figures: Figures | None = None


def figures(session: Session, profile, store: dict) -> Figures:
    """The page's figures, computed once for each state of the audit chain.

    Every change that moves a figure (a transition, a commons added or edited, an import)
    appends an audit event, so the chain head, one row, tells whether the figures computed last
    still hold: on a register of 100,000 proposals computing them takes seconds, reading the
    head does not. ``store`` is where they are kept (the application's ``extensions``), so each
    application, and each test's, has its own. Requests that arrive while the figures are being
    computed wait for them instead of computing them again.
    """
    cache = store.setdefault("commons.statistics", _Cache())
    head = session.execute(
        select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == 1)
    ).first()
    key = (getattr(profile, "name", None), tuple(head) if head else None)
    with cache.lock:
        fresh = time.monotonic() - cache.made < CACHE_SECONDS
        if cache.figures is None or cache.key != key or not fresh:
            cache.figures = Figures(
                states=by_state(session),
                districts=by_district(session),
                years=by_year(session),
                stages=stage_durations(session, profile),
                head_seq=head[0] if head else 0,
            )
            cache.key, cache.made = key, time.monotonic()
        return cache.figures
