"""The panel's work on a call: conflict-of-interest declarations, blind scores, the chair's
consensus and exclusions, the ranking and the admitting act (which fires the lifecycle's
``admit_by_call`` / ``refuse_by_call`` on every ranked proposal). Operations flush only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

import workflows
from commons.audit.operations import append_event
from commons.auth.models import Role
from commons.calls.models import (
    Call,
    CallApplication,
    CallBatch,
    CallStatus,
    ConsensusScore,
    Outcome,
    Review,
    Score,
)
from commons.calls.operations import _move
from commons.db import utcnow
from commons.errors import Conflict, DomainError, PermissionDenied
from commons.extensions import db
from commons.formatting import city_day, format_day, format_moment, format_number
from commons.lifecycle.states import is_tagged


def _ensure_evaluating(application: CallApplication) -> None:
    """The panel works on a proposal while its batch is being evaluated (``in_evaluation``)."""
    batch = application.batch
    if batch.ranked_at is not None:
        raise Conflict(
            _("%(batch)s is ranked already: its scores cannot change.", batch=batch.label)
        )
    if not batch.in_evaluation:
        raise Conflict(
            _("The proposals of %(batch)s are not being evaluated now.", batch=batch.label)
        )


def _ensure_panel(call: Call, user) -> None:
    if not any(e.user_id == user.id for e in call.evaluators):
        raise PermissionDenied(_("You are not on this call's panel."))


def review_of(application: CallApplication, user) -> Review | None:
    return db.session.scalar(
        select(Review).where(
            Review.application_id == application.id, Review.evaluator_id == user.id
        )
    )


def declare(
    application: CallApplication, *, evaluator, no_conflict: bool, recusal: str = "", now=None
):
    """The evaluator declares no conflict of interest on this proposal, or recuses (reason)."""
    call = application.call
    _ensure_evaluating(application)
    _ensure_panel(call, evaluator)
    recusal = (recusal or "").strip()
    if not no_conflict and not recusal:
        raise DomainError(
            _("Declare that you have no conflict of interest, or say why you recuse yourself."),
            field="recusal",
        )
    review = review_of(application, evaluator)
    if review is not None:
        raise Conflict(_("You have declared on this proposal already."))
    now = now or utcnow()
    review = Review(application=application, evaluator=evaluator)
    if no_conflict:
        review.no_conflict_declared_at = now
    else:
        review.recused_reason = recusal[:2000]
    db.session.add(review)
    db.session.flush()
    append_event(
        "call_no_conflict_declared" if no_conflict else "call_recused",
        actor=evaluator,
        actor_role=Role.EVALUATOR.value,
        proposal=application.proposal,
        payload={"call_id": call.id, "reasons": review.recused_reason or ""},
        public=False,
        occurred_at=now,
    )
    return review


def save_scores(review: Review, scores: dict, *, submit: bool, now: datetime | None = None):
    """Record ``scores`` ({criterion_id: (points, reason)}); ``submit`` makes them final and
    visible to the rest of the panel (every criterion then needs points and a reason)."""
    application = review.application
    call = application.call
    _ensure_evaluating(application)
    if review.no_conflict_declared_at is None:
        raise DomainError(_("Declare that you have no conflict of interest before scoring."))
    if review.submitted_at is not None:
        raise Conflict(_("Your scores on this proposal were submitted already."))
    errors = {}
    current = {s.criterion_id: s for s in review.scores}
    for criterion in call.criteria:
        points, reason = scores.get(criterion.id, (None, ""))
        reason = (reason or "").strip()
        if points is None and not reason:
            if submit:
                errors[criterion.key] = _("Give the points and the reason.")
            continue
        if points is None or not 0 <= points <= criterion.max_points:
            errors[criterion.key] = _(
                "Give a whole number of points from 0 to %(n)d.", n=criterion.max_points
            )
            continue
        if not reason:
            errors[criterion.key] = _("Give the reason for the points.")
            continue
        row = current.get(criterion.id)
        if row is None:
            review.scores.append(Score(criterion_id=criterion.id, points=points, reason=reason))
        else:
            row.points, row.reason = points, reason
    if errors:
        key, message = next(iter(errors.items()))
        raise DomainError(message, field=f"points_{key}")
    now = now or utcnow()
    if submit:
        review.submitted_at = now
    db.session.flush()
    if submit:
        append_event(
            "call_scores_submitted",
            actor=review.evaluator,
            actor_role=Role.EVALUATOR.value,
            proposal=application.proposal,
            payload={"call_id": call.id},
            public=False,
            occurred_at=now,
        )


def reviews_visible_to(application: CallApplication, user) -> list[Review]:
    """Blindness: an evaluator sees the others' submitted scores only once their own are
    submitted (or they recused); the chair sees every submitted review; nobody else, until
    the act makes the results public (then: the consensus, see ``results``)."""
    call = application.call
    reviews = db.session.scalars(
        select(Review).where(Review.application_id == application.id).order_by(Review.id)
    ).all()
    submitted = [r for r in reviews if r.submitted_at is not None]
    if call.chair_id == user.id:
        return submitted
    own = next((r for r in reviews if r.evaluator_id == user.id), None)
    if own is None:
        return []
    if own.submitted_at is None and own.recused_reason is None:
        return [own]
    return sorted({*submitted, own}, key=lambda r: r.id)


def divergences(application: CallApplication, reviews: list[Review] | None = None) -> list[dict]:
    """Per criterion, the submitted points of each evaluator and their spread (for the chair).
    ``reviews``: the application's reviews, when the caller has read them already."""
    if reviews is None:
        reviews = reviews_visible_to(application, application.call.chair)
    else:
        reviews = [r for r in reviews if r.submitted_at is not None]
    rows = []
    for criterion in application.call.criteria:
        given = [
            (r.evaluator.full_name, s.points, s.reason)
            for r in reviews
            for s in r.scores
            if s.criterion_id == criterion.id
        ]
        points = [p for _n, p, _r in given]
        spread = max(points) - min(points) if points else 0
        rows.append(
            {
                "criterion": criterion,
                "given": given,
                "spread": spread,
                # More than a fifth of the scale apart: the chair should look at the reasons.
                "diverges": spread * 5 > criterion.max_points,
            }
        )
    return rows


def _ensure_chair(call: Call, user) -> None:
    if call.chair_id != user.id:
        raise PermissionDenied(_("Only the chair of the panel does this."))


def pending_evaluators(
    application: CallApplication, reviews: list[Review] | None = None
) -> list[str]:
    """Names of the panel members who have neither submitted nor recused on it."""
    if reviews is None:
        reviews = db.session.scalars(
            select(Review).where(Review.application_id == application.id)
        ).all()
    done = {
        r.evaluator_id
        for r in reviews
        if r.submitted_at is not None or r.recused_reason is not None
    }
    return [e.user.full_name for e in application.call.evaluators if e.user_id not in done]


def record_consensus(application: CallApplication, scores: dict, *, chair, now=None) -> None:
    """The panel's final points per criterion ({criterion_id: (points, reason)}), by the
    chair, once every evaluator has submitted or recused."""
    call = application.call
    _ensure_evaluating(application)
    _ensure_chair(call, chair)
    waiting = pending_evaluators(application)
    if waiting:
        raise DomainError(
            _("Wait for every evaluator's scores: %(names)s.", names=", ".join(waiting))
        )
    current = {c.criterion_id: c for c in application.consensus}
    for criterion in call.criteria:
        points, reason = scores.get(criterion.id, (None, ""))
        reason = (reason or "").strip()
        if points is None or not 0 <= points <= criterion.max_points:
            raise DomainError(
                _(
                    "%(c)s: give a whole number of points from 0 to %(n)d.",
                    c=criterion.title,
                    n=criterion.max_points,
                ),
                field=f"points_{criterion.key}",
            )
        if not reason:
            raise DomainError(
                _("%(c)s: give the reason for the points.", c=criterion.title),
                field=f"points_{criterion.key}",
            )
        row = current.get(criterion.id)
        if row is None:
            application.consensus.append(
                ConsensusScore(criterion=criterion, points=points, reason=reason, chair_id=chair.id)
            )
        else:
            row.points, row.reason, row.chair_id = points, reason, chair.id
    db.session.flush()
    append_event(
        "call_consensus_recorded",
        actor=chair,
        actor_role=Role.OFFICER.value,
        proposal=application.proposal,
        payload={"call_id": call.id, "total": str(weighted_total(application))},
        public=False,
        occurred_at=now,
    )


def exclude(application: CallApplication, reason: str, *, chair) -> None:
    """Keep a proposal out of the ranking (ineligible, incomplete...), saying why."""
    call = application.call
    _ensure_evaluating(application)
    _ensure_chair(call, chair)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the proposal is excluded."), field="reason")
    application.excluded_reason = reason[:2000]
    db.session.flush()
    append_event(
        "call_application_excluded",
        actor=chair,
        actor_role=Role.OFFICER.value,
        proposal=application.proposal,
        payload={"call_id": call.id, "reasons": application.excluded_reason},
        public=False,
    )


def weighted_total(application: CallApplication) -> Decimal:
    return sum((c.points * c.criterion.weight for c in application.consensus), Decimal(0))


def submitted_applications(call: Call, batch: CallBatch | None = None) -> list[CallApplication]:
    """The call's applications whose proposals were submitted (drafts are not evaluated);
    ``batch``: that batch's only."""
    stmt = select(CallApplication).where(CallApplication.call_id == call.id)
    if batch is not None:
        stmt = stmt.where(CallApplication.batch_id == batch.id)
    rows = db.session.scalars(stmt.order_by(CallApplication.id)).all()
    return [a for a in rows if a.proposal.submitted_at is not None]


def _lock(batch: CallBatch) -> None:
    """Serialise the steps of one call's batches: the call's row, then the batch's, read again
    under a row lock (PostgreSQL). Two chairs pressing the same button are served one after
    the other, and the second finds the step done; the call's row makes the batch that
    completes the call (its last ranked, its last admitted) known to exactly one of them."""
    db.session.refresh(batch.call, with_for_update=True)
    db.session.refresh(batch, with_for_update=True)


def _batch_event(trigger: str, batch: CallBatch, actor, now: datetime, **data) -> None:
    """The audit event of a step of one batch (its ranking, its act), naming call and batch."""
    call = batch.call
    append_event(
        trigger,
        actor=actor,
        actor_role=Role.OFFICER.value if actor else None,
        payload={
            "call_id": call.id,
            "reference": call.reference,
            "batch_id": batch.id,
            "name": batch.label,
            **data,
        },
        occurred_at=now,
    )


def _batches_left(call: Call, column) -> int:
    """How many of the call's batches have ``column`` still empty (read from the database)."""
    return db.session.scalar(
        select(func.count())
        .select_from(CallBatch)
        .where(CallBatch.call_id == call.id, column.is_(None))
    )


def rank_batch(batch: CallBatch, *, chair, now: datetime | None = None) -> list[CallApplication]:
    """Order the batch's submitted proposals by weighted consensus total; the call's threshold
    decides who is admitted. Equal totals keep the order of submission, and the later one says
    so. The call is ranked with its last batch."""
    now = now or utcnow()
    call = batch.call
    _ensure_chair(call, chair)
    _lock(batch)
    if batch.ranked_at is not None:
        raise Conflict(
            _(
                "%(batch)s was ranked already, on %(when)s.",
                batch=batch.label,
                when=format_moment(batch.ranked_at),
            )
        )
    if batch.deadline > now:
        raise DomainError(
            _(
                "The deadline of %(batch)s is %(when)s: rank its proposals after it.",
                batch=batch.label,
                when=format_moment(batch.deadline),
            )
        )
    if not batch.in_evaluation:
        raise Conflict(
            _("The proposals of %(batch)s are not being evaluated now.", batch=batch.label)
        )
    scored, excluded = [], []
    for application in submitted_applications(call, batch):
        if application.excluded_reason:
            excluded.append(application)
            continue
        if len(application.consensus) < len(call.criteria):
            raise DomainError(
                _(
                    "Record the consensus on %(title)s before ranking.",
                    title=application.proposal.title,
                )
            )
        application.total = weighted_total(application)
        scored.append(application)
    scored.sort(key=lambda a: (-a.total, a.proposal.submitted_at, a.id))
    previous = None
    for position, application in enumerate(scored, 1):
        application.rank = position
        admitted = application.total >= call.threshold
        application.outcome = (Outcome.ADMITTED if admitted else Outcome.BELOW_THRESHOLD).value
        reason = _(
            "Weighted total %(total)s of %(max)s; threshold %(threshold)s.",
            total=format_number(application.total, 2),
            max=format_number(call.max_total, 2),
            threshold=format_number(call.threshold, 2),
        )
        if previous is not None and previous.total == application.total:
            reason += " " + _(
                "Same total as %(title)s, submitted earlier: ranked after it.",
                title=previous.proposal.title,
            )
        application.outcome_reason = reason
        previous = application
    for application in excluded:
        application.rank = None
        application.total = weighted_total(application) if application.consensus else None
        application.outcome = Outcome.EXCLUDED.value
        application.outcome_reason = application.excluded_reason
    batch.ranked_at = now
    db.session.flush()
    counts = {
        "rows": len(scored),
        "admitted": sum(1 for a in scored if a.outcome == Outcome.ADMITTED),
    }
    _batch_event("call_batch_ranked", batch, chair, now, **counts)
    if _batches_left(call, CallBatch.ranked_at) == 0:
        _move(call, CallStatus.RANKED, chair, "call_ranked", now=now, **counts)
    return scored + excluded


def rank(call: Call, *, chair, now=None) -> list[CallApplication]:
    """Rank every batch of the call not ranked yet (``rank_batch`` on each, in deadline
    order); the call is then ranked."""
    _ensure_chair(call, chair)
    if call.status != CallStatus.EVALUATING:
        raise Conflict(_("The call is not being evaluated now."))
    ranked = []
    for batch in call.batches:
        if batch.ranked_at is None:
            ranked += rank_batch(batch, chair=chair, now=now)
    return ranked


def _scores_text(application: CallApplication) -> str:
    parts = [
        f"{c.criterion.title}: {c.points}/{c.criterion.max_points} ({c.reason})"
        for c in sorted(application.consensus, key=lambda c: c.criterion.position)
    ]
    return "; ".join(parts)


def record_batch_act(
    batch: CallBatch,
    *,
    actor,
    number: str,
    act_date: date,
    now: datetime | None = None,
) -> None:
    """Record the act admitting the batch: its admitted proposals go to co-design, the others
    are told why with their scores; the batch's results become public. The call is admitted
    with its last batch (and carries that act)."""
    now = now or utcnow()
    call = batch.call
    number = (number or "").strip()
    if not number:
        raise DomainError(_("Enter the number of the act."), field="act_number")
    if act_date is None:
        raise DomainError(_("Enter the date of the act."), field="act_date")
    if act_date > city_day(now):
        raise DomainError(
            _("The act cannot be dated after the admissions it makes (today)."), field="act_date"
        )
    _lock(batch)
    if batch.act_number is not None:
        raise Conflict(
            _(
                "The act of %(batch)s was recorded already: %(act)s of %(date)s.",
                batch=batch.label,
                act=batch.act_number,
                date=format_day(batch.act_date),
            )
        )
    if batch.ranked_at is None:
        raise Conflict(
            _("Rank the proposals of %(batch)s before recording its act.", batch=batch.label)
        )
    if act_date < city_day(batch.deadline):
        raise DomainError(
            _(
                "The act cannot be dated before the deadline of %(batch)s (%(when)s).",
                batch=batch.label,
                when=format_day(city_day(batch.deadline)),
            ),
            field="act_date",
        )
    if act_date < city_day(batch.ranked_at):
        raise DomainError(
            _(
                "The act cannot be dated before the ranking it adopts (%(when)s).",
                when=format_day(city_day(batch.ranked_at)),
            ),
            field="act_date",
        )
    batch.act_number, batch.act_date = number[:50], act_date
    data = {"act_number": batch.act_number, "act_date": act_date.isoformat()}
    for application in submitted_applications(call, batch):
        proposal = application.proposal
        if not is_tagged(proposal, "review"):
            continue  # withdrawn meanwhile: nothing to admit or refuse
        if application.outcome == Outcome.ADMITTED:
            workflows.fire(proposal, "admit_by_call", actor, now=now, **data)
            continue
        reasons = _(
            "Call %(ref)s, act %(act)s: not admitted. %(why)s",
            ref=call.reference,
            act=batch.act_number,
            why=application.outcome_reason or "",
        )
        if application.consensus:
            reasons += " " + _("Scores: %(scores)s.", scores=_scores_text(application))
        workflows.fire(proposal, "refuse_by_call", actor, now=now, reasons=reasons[:5000], **data)
    db.session.flush()
    _batch_event("call_batch_act_recorded", batch, actor, now, **data)
    if _batches_left(call, CallBatch.act_number) == 0:
        call.act_number, call.act_date = batch.act_number, batch.act_date
        _move(call, CallStatus.ADMITTED, actor, "call_act_recorded", now=now, **data)


def record_act(call: Call, *, actor, number: str, act_date: date, now: datetime | None = None):
    """Record one act admitting every batch of the call not admitted yet
    (``record_batch_act`` on each): the call is then admitted."""
    if call.status != CallStatus.RANKED:
        raise Conflict(_("Rank the proposals before recording the admitting act."))
    for batch in call.batches:
        if batch.act_number is None:
            record_batch_act(batch, actor=actor, number=number, act_date=act_date, now=now)
