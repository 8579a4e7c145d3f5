"""Reads the call pages, the feed and the open data need."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from commons.calls.models import (
    Call,
    CallApplication,
    CallCommons,
    CallStatus,
    ConsensusScore,
    Review,
)
from commons.extensions import db
from commons.proposals.models import Proposal

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


def ranking(call: Call) -> list[CallApplication]:
    """The call's submitted applications in ranking order (excluded last), with their
    proposals and consensus scores loaded: three queries whatever their number."""
    rows = db.session.scalars(
        select(CallApplication)
        .join(Proposal, Proposal.id == CallApplication.proposal_id)
        .where(CallApplication.call_id == call.id, Proposal.submitted_at.is_not(None))
        .options(
            joinedload(CallApplication.proposal).joinedload(Proposal.group),
            joinedload(CallApplication.batch),
            selectinload(CallApplication.consensus),
            selectinload(CallApplication.partners),
        )
        .order_by(CallApplication.rank.is_(None), CallApplication.rank, CallApplication.id)
    ).all()
    return list(rows)


def applications_for_panel(call: Call, user) -> list[tuple[CallApplication, Review | None]]:
    """Each submitted application with the user's own review of it (None: not started)."""
    rows = ranking(call)
    reviews = {
        r.application_id: r
        for r in db.session.scalars(
            select(Review).where(
                Review.evaluator_id == user.id,
                Review.application_id.in_([a.id for a in rows]),
            )
        )
    }
    return [(a, reviews.get(a.id)) for a in rows]


def consensus_rows(call: Call) -> list[ConsensusScore]:
    return db.session.scalars(
        select(ConsensusScore)
        .join(CallApplication, CallApplication.id == ConsensusScore.application_id)
        .where(CallApplication.call_id == call.id)
    ).all()


def panel_summary(call: Call) -> dict[int, tuple[list[dict], list[str]]]:
    """For the chair's page, per application: each criterion's spread among the submitted
    scores (and whether it diverges: more than a fifth of the scale) and the evaluators
    waited for. Two aggregate queries, whatever the number of reviews."""
    from sqlalchemy import func, or_

    from commons.calls.models import Score

    spreads = db.session.execute(
        select(
            Review.application_id,
            Score.criterion_id,
            func.max(Score.points) - func.min(Score.points),
        )
        .join(Score, Score.review_id == Review.id)
        .join(CallApplication, CallApplication.id == Review.application_id)
        .where(CallApplication.call_id == call.id, Review.submitted_at.is_not(None))
        .group_by(Review.application_id, Score.criterion_id)
    ).all()
    done = db.session.execute(
        select(Review.application_id, Review.evaluator_id)
        .join(CallApplication, CallApplication.id == Review.application_id)
        .where(
            CallApplication.call_id == call.id,
            or_(Review.submitted_at.is_not(None), Review.recused_reason.is_not(None)),
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
