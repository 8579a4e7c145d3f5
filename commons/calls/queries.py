"""Reads the call pages, the feed and the open data need."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select, tuple_

from commons.calls.models import (
    Call,
    CallApplication,
    CallBatch,
    CallCommons,
    CallStatus,
    ConsensusScore,
    ConsortiumPartner,
    Review,
    Score,
)
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.pagination import decode_cursor, encode_cursor
from commons.proposals.models import Proposal

PAGE_SIZE = 50
# The ranking's order: ranked first by rank, then the unranked (excluded) by id.
_UNRANKED = 2**31 - 1

PUBLIC = [s.value for s in CallStatus if s != CallStatus.DRAFT]


def public_calls() -> list[Call]:
    """Calls the public sees, those receiving applications first, newest first."""
    calls = db.session.scalars(
        select(Call).where(Call.status.in_(PUBLIC)).order_by(Call.id.desc())
    ).all()
    return sorted(calls, key=lambda c: c.status != CallStatus.OPEN)


def open_calls() -> list[Call]:
    return db.session.scalars(
        select(Call).where(Call.status == CallStatus.OPEN).order_by(Call.id.desc())
    ).all()


def all_calls() -> list[Call]:
    return db.session.scalars(select(Call).order_by(Call.id.desc())).all()


def offered_by_open_calls():
    """SELECT of the ids of the commons offered by a call open now (the register's filter)."""
    return (
        select(CallCommons.commons_id)
        .join(Call, Call.id == CallCommons.call_id)
        .where(Call.status == CallStatus.OPEN)
    )


def offered_commons_ids() -> set[int]:
    """Commons offered by a call open now (the map highlights them)."""
    return set(db.session.scalars(offered_by_open_calls()))


@dataclass
class RankingPage:
    """A page of a call's ranking: ``rows`` (Core rows: id, rank, total, outcome, titles...),
    ``scores`` ({application id: {criterion id: (points, reason)}}) and the next page's
    cursor (None on the last page)."""

    rows: list
    scores: dict[int, dict[int, tuple[int, str]]]
    next_cursor: str | None


def _rank_key():
    return func.coalesce(CallApplication.rank, _UNRANKED)


def _after(token: str | None, size: int = 3) -> list[int] | None:
    """The cursor's values (``size`` whole numbers), None for a missing or bad one."""
    values = decode_cursor(token)
    try:
        return [int(v) for v in values] if values and len(values) == size else None
    except (TypeError, ValueError):
        return None


def valid_cursor(token: str | None, size: int = 3) -> bool:
    """Whether ``token`` is a cursor these pages gave (the API refuses any other)."""
    return _after(token, size) is not None


def ranking_rows(
    call: Call,
    *,
    after: str | None = None,
    limit: int | None = PAGE_SIZE,
    batch_ids: Collection[int] | None = None,
) -> RankingPage:
    """The call's submitted applications batch by batch (in deadline order), each batch in
    ranking order (excluded last), as Core rows, a page of ``limit`` after the cursor ``after``
    (``limit`` None: all of them, the exports); ``batch_ids``: only those batches' (e.g. those
    whose act is recorded, which the public reads). Two
    queries whatever the number of rows: the rows (the partners aggregated in SQL) and their
    consensus scores."""
    key = _rank_key()
    partners = (
        select(func.aggregate_strings(ConsortiumPartner.name, "; "))
        .where(ConsortiumPartner.application_id == CallApplication.id)
        .correlate(CallApplication)
        .scalar_subquery()
    )
    stmt = (
        select(
            CallApplication.id,
            CallApplication.proposal_id,
            CallApplication.rank,
            CallApplication.total,
            CallApplication.outcome,
            CallApplication.outcome_reason,
            CallApplication.excluded_reason,
            CallApplication.theme,
            CallApplication.batch_id,
            Proposal.title,
            Proposal.protocol_number,
            ProponentGroup.name.label("group_name"),
            CallBatch.label.label("batch_label"),
            CallBatch.act_number,
            CallBatch.act_date,
            partners.label("partners"),
            exists()
            .where(ConsensusScore.application_id == CallApplication.id)
            .label("has_consensus"),
            key.label("rank_key"),
        )
        .join(Proposal, Proposal.id == CallApplication.proposal_id)
        .join(ProponentGroup, ProponentGroup.id == Proposal.group_id)
        .join(CallBatch, CallBatch.id == CallApplication.batch_id)
        .where(CallApplication.call_id == call.id, Proposal.submitted_at.is_not(None))
        # Batches are made in deadline order (callfile sorts them): their ids follow it.
        .order_by(CallApplication.batch_id, key, CallApplication.id)
    )
    if batch_ids is not None:
        stmt = stmt.where(CallApplication.batch_id.in_(list(batch_ids)))
    cursor = _after(after)
    if cursor:
        # Row-value comparison: SQLite (3.15+) and PostgreSQL both support it.
        stmt = stmt.where(
            tuple_(CallApplication.batch_id, key, CallApplication.id) > tuple_(*cursor)
        )
    if limit is not None:
        stmt = stmt.limit(limit + 1)
    rows = db.session.execute(stmt).all()
    next_cursor = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([last.batch_id, last.rank_key, last.id])
    scores: dict[int, dict[int, tuple[int, str]]] = {}
    if rows:
        ids = [r.id for r in rows]
        found = db.session.execute(
            select(
                ConsensusScore.application_id,
                ConsensusScore.criterion_id,
                ConsensusScore.points,
                ConsensusScore.reason,
            ).where(
                ConsensusScore.application_id.in_(ids)
                if limit is not None
                else ConsensusScore.application_id.in_(
                    stmt.with_only_columns(CallApplication.id).order_by(None)
                )
            )
        ).all()
        for application_id, criterion_id, points, reason in found:
            scores.setdefault(application_id, {})[criterion_id] = (points, reason)
    return RankingPage(rows=rows, scores=scores, next_cursor=next_cursor)


@dataclass
class PanelPage:
    """A page of the applications an evaluator works on: ``rows`` (Core rows: id, title,
    protocol number, batch, and the evaluator's own review: declared, recused, submitted)
    and the next page's cursor (None on the last page)."""

    rows: list
    next_cursor: str | None


def applications_for_panel(
    call: Call, user, *, after: str | None = None, limit: int = PAGE_SIZE
) -> PanelPage:
    """The submitted applications of the batches being evaluated or ranked, batch by batch,
    each with the user's own review of it (its columns empty: not started), a page of
    ``limit`` after the cursor ``after``. One query whatever the number of rows."""
    evaluated = [b.id for b in call.batches if b.in_evaluation or b.ranked_at is not None]
    stmt = (
        select(
            CallApplication.id,
            CallApplication.batch_id,
            Proposal.title,
            Proposal.protocol_number,
            CallBatch.label.label("batch_label"),
            CallBatch.ranked_at,
            Review.id.label("review_id"),
            Review.no_conflict_declared_at,
            Review.recused_reason,
            Review.submitted_at,
        )
        .join(Proposal, Proposal.id == CallApplication.proposal_id)
        .join(CallBatch, CallBatch.id == CallApplication.batch_id)
        .outerjoin(
            Review,
            and_(Review.application_id == CallApplication.id, Review.evaluator_id == user.id),
        )
        .where(
            CallApplication.call_id == call.id,
            CallApplication.batch_id.in_(evaluated),
            Proposal.submitted_at.is_not(None),
        )
        .order_by(CallApplication.batch_id, CallApplication.id)
        .limit(limit + 1)
    )
    cursor = _after(after, 2)
    if cursor:
        stmt = stmt.where(tuple_(CallApplication.batch_id, CallApplication.id) > tuple_(*cursor))
    rows = db.session.execute(stmt).all()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].batch_id, rows[-1].id])
    return PanelPage(rows=rows, next_cursor=next_cursor)


def consensus_rows(call: Call) -> list[ConsensusScore]:
    return db.session.scalars(
        select(ConsensusScore)
        .join(CallApplication, CallApplication.id == ConsensusScore.application_id)
        .where(CallApplication.call_id == call.id)
    ).all()


def panel_summary(
    call: Call, application_ids: list[int] | None = None
) -> dict[int, tuple[list[dict], list[str]]]:
    """For the chair's page, per application (those of ``application_ids``, a page, or every
    one): each criterion's spread among the submitted scores (and whether it diverges: more
    than a fifth of the scale) and the evaluators waited for. Two aggregate queries, whatever
    the number of reviews."""
    only = [] if application_ids is None else [Review.application_id.in_(application_ids)]
    spreads = db.session.execute(
        select(
            Review.application_id,
            Score.criterion_id,
            func.max(Score.points) - func.min(Score.points),
        )
        .join(Score, Score.review_id == Review.id)
        .join(CallApplication, CallApplication.id == Review.application_id)
        .where(CallApplication.call_id == call.id, Review.submitted_at.is_not(None), *only)
        .group_by(Review.application_id, Score.criterion_id)
    ).all()
    done = db.session.execute(
        select(Review.application_id, Review.evaluator_id)
        .join(CallApplication, CallApplication.id == Review.application_id)
        .where(
            CallApplication.call_id == call.id,
            or_(Review.submitted_at.is_not(None), Review.recused_reason.is_not(None)),
            *only,
        )
    ).all()
    criteria = {c.id: c for c in call.criteria}
    finished: dict[int, set[int]] = {}
    for application_id, evaluator_id in done:
        finished.setdefault(application_id, set()).add(evaluator_id)
    rows: dict[int, list[dict]] = {}
    for application_id, criterion_id, spread in spreads:
        criterion = criteria[criterion_id]
        rows.setdefault(application_id, []).append(
            {
                "criterion": criterion,
                "spread": spread,
                "diverges": spread * 5 > criterion.max_points,
            }
        )
    ids = {a for a, _c, _s in spreads} | set(finished)
    return {
        a: (
            sorted(rows.get(a, []), key=lambda r: r["criterion"].position),
            [e.user.full_name for e in call.evaluators if e.user_id not in finished.get(a, set())],
        )
        for a in ids
    }


def reviews_by_application(call: Call) -> dict[int, list[Review]]:
    """Every review of the call's applications with its scores, in two queries."""
    rows = db.session.scalars(
        select(Review)
        .join(CallApplication, CallApplication.id == Review.application_id)
        .where(CallApplication.call_id == call.id)
        .order_by(Review.id)
    ).all()
    found: dict[int, list[Review]] = {}
    for review in rows:
        found.setdefault(review.application_id, []).append(review)
    return found
