"""What the audit exports read: the selected pacts and their rows, streamed.

:class:`Filters` select pacts (the API, the export form and the jobs build them); the
``*_rows`` functions give each table's rows as Python values in the column order of
:mod:`commons.audit.bundle`, every query streaming (``yield_per``) so memory stays constant.
The writers are in :mod:`commons.audit.exports` and :mod:`commons.audit.event_lines`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import (
    Integer,
    Numeric,
    String,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, selectinload

from commons.audit import bundle
from commons.audit.models import AuditEvent
from commons.auth.models import User
from commons.calls.models import (
    Call,
    CallApplication,
    CallBatch,
    ConsensusScore,
    Criterion,
    Review,
    Score,
)
from commons.documents.models import Document, PactVersion, Signature
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import Proposal
from commons.registry.models import Commons

BATCH = 1000


@dataclass(frozen=True)
class Filters:
    """Which pacts to export. Dates select pacts with at least one event on those days (UTC)."""

    protocols: tuple[str, ...] = ()
    state: str | None = None
    district: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    officer: str | None = None
    # Part of a commons' name (any letter case).
    commons: str | None = None

    def as_dict(self) -> dict:
        values = asdict(self)
        values["protocols"] = list(self.protocols)
        for key in ("date_from", "date_to"):
            values[key] = values[key].isoformat() if values[key] else None
        return values

    @classmethod
    def from_dict(cls, values: dict) -> Filters:
        """The inverse of :meth:`as_dict` (unknown keys are ignored)."""

        def day(value):
            return date.fromisoformat(value) if value else None

        return cls(
            protocols=tuple(values.get("protocols") or ()),
            state=values.get("state") or None,
            district=values.get("district") or None,
            date_from=day(values.get("date_from")),
            date_to=day(values.get("date_to")),
            officer=values.get("officer") or None,
            commons=values.get("commons") or None,
        )


def pact_ids(filters: Filters):
    """A SELECT of the ids of the selected pacts (used as a subquery, never loaded whole)."""
    stmt = select(Proposal.id)
    if filters.protocols:
        stmt = stmt.where(Proposal.protocol_number.in_(filters.protocols))
    if filters.state:
        stmt = stmt.where(Proposal.status == filters.state)
    if filters.district:
        stmt = stmt.where(Proposal.commons.any(Commons.district == filters.district))
    if filters.commons:
        stmt = stmt.where(
            Proposal.commons.any(Commons.name.icontains(filters.commons, autoescape=True))
        )
    if filters.officer:
        officers = select(User.id).where(func.lower(User.email) == filters.officer.lower())
        stmt = stmt.where(Proposal.case_officer_id.in_(officers))
    if filters.date_from or filters.date_to:
        event = aliased(AuditEvent)
        activity = select(event.seq).where(event.proposal_id == Proposal.id)
        if filters.date_from:
            start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
            activity = activity.where(event.occurred_at >= start)
        if filters.date_to:
            end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
            activity = activity.where(event.occurred_at < end)
        stmt = stmt.where(activity.exists())
    return stmt


def stream_rows(stmt):
    return db.session.execute(stmt.execution_options(yield_per=BATCH))


# Who acted, by name, beside actor_id: the person's name at export time, "system" for an event
# without an actor. Not part of the chain: names change, the hashes do not. The users table is
# joined under an alias, so that the filters' own subqueries on users stay uncorrelated.
# (Made on first use: an alias configures the mappers, which must all be imported by then.)
@cache
def _actor():
    return aliased(User, name="actor")


def actor_name_column():
    return case(
        (AuditEvent.actor_id.is_(None), literal(bundle.SYSTEM_ACTOR)), else_=_actor().full_name
    )


def with_actor(stmt):
    return stmt.outerjoin(_actor(), _actor().id == AuditEvent.actor_id)


# Rows, as Python values in the column order of commons.audit.bundle.


def event_rows(filters: Filters, upto_seq: int | None = None) -> Iterator[tuple]:
    stmt = (
        with_actor(
            select(
                AuditEvent.seq,
                AuditEvent.occurred_at,
                Proposal.protocol_number,
                AuditEvent.proposal_id,
                AuditEvent.trigger,
                AuditEvent.from_state,
                AuditEvent.to_state,
                AuditEvent.actor_id,
                actor_name_column(),
                AuditEvent.actor_role,
                AuditEvent.payload,
                AuditEvent.public,
                AuditEvent.prev_hash,
                AuditEvent.hash,
            ).join(Proposal, Proposal.id == AuditEvent.proposal_id)
        )
        .where(AuditEvent.proposal_id.in_(pact_ids(filters)))
        .order_by(AuditEvent.seq)
    )
    if upto_seq is not None:
        stmt = stmt.where(AuditEvent.seq <= upto_seq)
    for row in stream_rows(stmt):
        yield tuple(row)


def count_events(filters: Filters) -> int:
    stmt = select(func.count()).where(AuditEvent.proposal_id.in_(pact_ids(filters)))
    return db.session.scalar(stmt) or 0


def pact_rows(filters: Filters) -> Iterator[list]:
    stmt = (
        select(Proposal)
        .where(Proposal.id.in_(pact_ids(filters)))
        .options(selectinload(Proposal.commons), selectinload(Proposal.case_officer))
        .order_by(Proposal.id)
    )
    for p in db.session.scalars(stmt.execution_options(yield_per=BATCH)):
        yield [
            p.id,
            p.protocol_number,
            p.title,
            p.status,
            p.pact_type,
            p.profile,
            p.group_id,
            p.representative_id,
            p.case_officer_id,
            p.case_officer.email if p.case_officer else None,
            "; ".join(c.name for c in p.commons),
            "; ".join(sorted({c.district for c in p.commons if c.district})),
            p.start_date,
            p.end_date,
            p.submitted_at,
            p.decision_number,
            p.decision_date,
            p.deliberation_number,
            p.deliberation_date,
            p.predecessor_id,
            p.created_at,
        ]


def version_rows(filters: Filters) -> Iterator[tuple[list, dict]]:
    """(row without the path, content) of each pact version of the selected pacts."""
    stmt = (
        select(
            PactVersion.proposal_id,
            Proposal.protocol_number,
            PactVersion.number,
            PactVersion.content_hash,
            PactVersion.created_at,
            PactVersion.frozen_at,
            PactVersion.author_id,
            PactVersion.comment,
            PactVersion.content,
        )
        .join(Proposal, Proposal.id == PactVersion.proposal_id)
        .where(PactVersion.proposal_id.in_(pact_ids(filters)))
        .order_by(PactVersion.proposal_id, PactVersion.number)
    )
    for row in stream_rows(stmt):
        yield list(row[:-1]), row[-1]


def document_rows(filters: Filters) -> Iterator[list]:
    stmt = (
        select(
            Document.proposal_id,
            Proposal.protocol_number,
            PactVersion.number,
            Document.kind,
            Document.sha256,
            Document.size,
            Document.language,
            Document.created_at,
        )
        .join(Proposal, Proposal.id == Document.proposal_id)
        .join(PactVersion, PactVersion.id == Document.version_id)
        .where(Document.proposal_id.in_(pact_ids(filters)))
        .order_by(Document.id)
    )
    for row in stream_rows(stmt):
        yield list(row)


def _pact_table_rows(filters: Filters, model, *columns) -> Iterator[list]:
    """Rows of a per-pact table (``model`` with ``proposal_id``) for the selected pacts: its
    pact id and protocol number, then ``columns``, in the table's order."""
    stmt = (
        select(model.proposal_id, Proposal.protocol_number, *columns)
        .join(Proposal, Proposal.id == model.proposal_id)
        .where(model.proposal_id.in_(pact_ids(filters)))
        .order_by(model.id)
    )
    for row in stream_rows(stmt):
        yield list(row)


def signature_rows(filters: Filters) -> Iterator[list]:
    return _pact_table_rows(
        filters,
        Signature,
        Signature.signer_id,
        Signature.signer_role,
        Signature.typed_name,
        Signature.signed_at,
        Signature.document_hash,
        Signature.level,
        Signature.certificate_subject,
        Signature.fiscal_number,
        Signature.signed_file_sha256,
    )


def report_rows(filters: Filters) -> Iterator[list]:
    return _pact_table_rows(
        filters,
        MonitoringReport,
        MonitoringReport.author_id,
        MonitoringReport.filed_at,
        MonitoringReport.final,
        MonitoringReport.text,
        MonitoringReport.indicators,
    )


def call_score_rows(filters: Filters) -> Iterator[list]:
    """The scores of the selected pacts that came from a call, in the columns of
    ``bundle.CALL_SCORE_COLUMNS``: per pact, each evaluator's submitted points and reason per
    criterion (a recusal: one row with its reason), then the panel's consensus; each row with
    the batch, the pact's total, ranking position and outcome, and the batch's act."""
    scorer = aliased(User, name="scorer")

    def common(kind: str, order: int):
        return (
            CallApplication.proposal_id,
            Proposal.protocol_number,
            CallApplication.call_id,
            Call.reference,
            CallBatch.label,
            literal(kind, String).label("scored_by"),
            scorer.id.label("evaluator_id"),
            scorer.full_name.label("evaluator_name"),
        ), literal(order, Integer).label("kind_order")

    def tail():
        return (
            CallApplication.total,
            CallApplication.rank,
            CallApplication.outcome,
            CallBatch.act_number,
            CallBatch.act_date,
        )

    def joined(stmt):
        return (
            stmt.join(Proposal, Proposal.id == CallApplication.proposal_id)
            .join(Call, Call.id == CallApplication.call_id)
            .join(CallBatch, CallBatch.id == CallApplication.batch_id)
            .where(CallApplication.proposal_id.in_(pact_ids(filters)))
        )

    head, order = common("evaluator", 0)
    evaluators = joined(
        select(
            *head,
            Criterion.title,
            Score.points,
            Criterion.max_points,
            Criterion.weight,
            Score.reason,
            Review.submitted_at,
            *tail(),
            order,
            Criterion.position.label("position"),
        )
        .select_from(Score)
        .join(Review, Review.id == Score.review_id)
        .join(CallApplication, CallApplication.id == Review.application_id)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(scorer, scorer.id == Review.evaluator_id)
    ).where(Review.submitted_at.is_not(None))
    head, order = common("recused", 0)
    recusals = joined(
        select(
            *head,
            cast(null(), String),
            cast(null(), Integer),
            cast(null(), Integer),
            cast(null(), Numeric(6, 2)),
            Review.recused_reason,
            cast(null(), Review.submitted_at.type),
            *tail(),
            order,
            literal(-1, Integer).label("position"),
        )
        .select_from(Review)
        .join(CallApplication, CallApplication.id == Review.application_id)
        .join(scorer, scorer.id == Review.evaluator_id)
    ).where(Review.recused_reason.is_not(None))
    head, order = common("consensus", 1)
    consensus = joined(
        select(
            *head,
            Criterion.title,
            ConsensusScore.points,
            Criterion.max_points,
            Criterion.weight,
            ConsensusScore.reason,
            cast(null(), Review.submitted_at.type),
            *tail(),
            order,
            Criterion.position.label("position"),
        )
        .select_from(ConsensusScore)
        .join(CallApplication, CallApplication.id == ConsensusScore.application_id)
        .join(Criterion, Criterion.id == ConsensusScore.criterion_id)
        .join(scorer, scorer.id == ConsensusScore.chair_id)
    )
    every = union_all(evaluators, recusals, consensus).subquery()
    stmt = select(every).order_by(
        every.c.proposal_id, every.c.kind_order, every.c.evaluator_id, every.c.position
    )
    width = len(bundle.CALL_SCORE_COLUMNS)
    for row in stream_rows(stmt):
        yield list(row[:width])


def chain_rows() -> Iterator[tuple[int, str, str]]:
    """(seq, prev_hash, hash) of every event of the whole chain, in order."""
    stmt = select(AuditEvent.seq, AuditEvent.prev_hash, AuditEvent.hash).order_by(AuditEvent.seq)
    for row in stream_rows(stmt):
        yield tuple(row)


def event_object(row: tuple) -> dict:
    """An event row as a JSON object (JSON Lines)."""
    obj = dict(zip(bundle.EVENT_COLUMNS, row, strict=True))
    obj["occurred_at"] = obj["occurred_at"].isoformat(timespec="microseconds")
    return obj
