"""The office's work queue: open cases filtered, counted per state and sorted by urgency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, distinct, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

import workflows
from commons.extensions import db
from commons.lifecycle.states import is_tagged
from commons.office.deadlines import in_review, review_limit_days
from commons.pagination import decode_cursor, encode_cursor
from commons.proposals.models import PactType, Proposal, proposal_commons
from commons.registry.models import Commons
from workflows.clocks import review_elapsed

PAGE_SIZE = 25


@dataclass
class QueueFilters:
    state: str = ""
    pact_type: str = ""
    district: str = ""
    overdue: bool = False
    mine: bool = False

    @classmethod
    def from_args(cls, args, states) -> QueueFilters:
        state = args.get("state") or ""
        pact_type = args.get("type") or ""
        return cls(
            state=state if state in states else "",
            pact_type=pact_type if pact_type in {t.value for t in PactType} else "",
            district=(args.get("district") or "").strip(),
            overdue=args.get("overdue") == "1",
            mine=args.get("mine") == "1",
        )

    def args(self) -> dict:
        """The filters as query-string arguments (empty ones left out)."""
        values = {
            "state": self.state,
            "type": self.pact_type,
            "district": self.district,
            "overdue": "1" if self.overdue else "",
            "mine": "1" if self.mine else "",
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class QueuePage:
    cases: list[dict]
    counts: dict[str, int]
    total: int
    next_cursor: str | None
    districts: list[str] = field(default_factory=list)


def open_states() -> list[str]:
    """The states in which a case is on someone's desk, across every profile, in order."""
    seen: dict[str, None] = {}
    for name in workflows.profile_names():
        profile = workflows.get_profile(name)
        for state in profile.states:
            # Drafts belong to the proponents; terminal states need no more work.
            if state not in profile.terminal and state != profile.initial:
                seen[state] = None
    return list(seen)


def _filtered(stmt, f: QueueFilters, user, now: datetime, *, with_state: bool):
    if with_state and f.state:
        stmt = stmt.where(Proposal.status == f.state)
    else:
        stmt = stmt.where(Proposal.status.in_(open_states()))
    if f.pact_type:
        stmt = stmt.where(Proposal.pact_type == f.pact_type)
    if f.district:
        stmt = stmt.where(
            exists(
                select(proposal_commons.c.proposal_id)
                .join(Commons, Commons.id == proposal_commons.c.commons_id)
                .where(
                    proposal_commons.c.proposal_id == Proposal.id,
                    Commons.district == f.district,
                )
            )
        )
    if f.overdue:
        stmt = stmt.where(Proposal.due_at < now)
    if f.mine:
        stmt = stmt.where(Proposal.case_officer_id == user.id)
    return stmt


def _after(cursor: list | None):
    """The keyset condition for rows after ``cursor`` = [due_at ISO or None, id]."""
    if not cursor or len(cursor) != 2:
        return None
    try:
        last_id = int(cursor[1])
        due = datetime.fromisoformat(cursor[0]) if cursor[0] is not None else None
    except (TypeError, ValueError):
        return None
    if due is None:  # undated cases come last, by id
        return and_(Proposal.due_at.is_(None), Proposal.id > last_id)
    return or_(
        Proposal.due_at > due,
        and_(Proposal.due_at == due, Proposal.id > last_id),
        Proposal.due_at.is_(None),
    )


def load_queue(f: QueueFilters, user, now: datetime, cursor_token: str | None) -> QueuePage:
    """One page of the queue with the counts per state; a fixed number of queries."""
    stmt = _filtered(select(Proposal), f, user, now, with_state=True)
    after = _after(decode_cursor(cursor_token))
    if after is not None:
        stmt = stmt.where(after)
    stmt = (
        stmt.options(
            joinedload(Proposal.group),
            joinedload(Proposal.case_officer),
            selectinload(Proposal.commons),
        )
        # The most urgent first: the nearest deadline (overdue ones are in the past); then cases
        # with no deadline. NULLs are put last explicitly: SQLite and PostgreSQL differ.
        .order_by(Proposal.due_at.is_(None), Proposal.due_at, Proposal.id)
        .limit(PAGE_SIZE + 1)
    )
    rows = db.session.scalars(stmt).unique().all()
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        next_cursor = encode_cursor([last.due_at.isoformat() if last.due_at else None, last.id])
    count_stmt = _filtered(
        select(Proposal.status, func.count()), f, user, now, with_state=False
    ).group_by(Proposal.status)
    counts = dict(db.session.execute(count_stmt).all())
    districts = db.session.scalars(
        select(distinct(Commons.district))
        .where(Commons.district.is_not(None))
        .order_by(Commons.district)
    ).all()
    return QueuePage(
        cases=[describe(p, now) for p in rows],
        counts=counts,
        total=sum(counts.values()) if not f.state else counts.get(f.state, 0),
        next_cursor=next_cursor,
        districts=list(districts),
    )


# Always possible for the proponents and never what the office waits for.
NOT_NEXT = {"withdraw"}


def next_actions(proposal, overdue: bool = False) -> tuple[list[str], str]:
    """What moves the case on from its state, and who does it: "city", "proponents", "clock".

    Read from the profile's transition table (no rule is evaluated, so no query is made); the
    case page says what is possible in detail. Actions the clock takes when a deadline passes
    (archive, close the notice) are the office's only once that deadline has passed.
    """
    profile = workflows.get_profile(proposal.profile)
    staff, clock, proponents = [], [], []
    for trigger in profile.triggers:
        if trigger in NOT_NEXT:
            continue
        for spec in profile.specs_for(trigger, proposal.status):
            roles = set(spec.roles)
            if "system" in roles:
                bucket = staff if overdue and roles & {"officer", "legal"} else clock
            elif roles & {"officer", "legal"}:
                bucket = staff
            elif "representative" in roles:
                bucket = proponents
            else:
                continue
            if trigger not in bucket:
                bucket.append(trigger)
    if staff:
        return staff, "city"
    if proponents:
        return proponents, "proponents"
    return clock, "clock"


def describe(proposal, now: datetime) -> dict:
    """What the queue shows of a case: its clock against the limit and what comes next."""
    clock: dict = {"due": proposal.due_at}
    if in_review(proposal) and proposal.review_started_at is not None:
        clock.update(
            kind="review",
            elapsed=review_elapsed(proposal, now).days,
            limit=review_limit_days(proposal),
            paused=proposal.review_paused_at is not None,
        )
    elif is_tagged(proposal, "awaiting_reply") and proposal.review_started_at is not None:
        # The review clock is paused while the proponents answer; their reply has a deadline.
        clock.update(
            kind="review",
            elapsed=review_elapsed(proposal, now).days,
            limit=review_limit_days(proposal),
            paused=True,
        )
    elif proposal.due_at is not None:
        clock.update(kind="deadline")
    else:
        clock.update(kind="none")
    if proposal.due_at is not None:
        clock["days_left"] = (proposal.due_at - now).days
    clock["overdue"] = proposal.due_at is not None and proposal.due_at < now
    actions, by = next_actions(proposal, clock["overdue"])
    return {
        "proposal": proposal,
        "districts": sorted({c.district for c in proposal.commons if c.district}),
        "clock": clock,
        "next_actions": actions,
        "by": by,
    }
