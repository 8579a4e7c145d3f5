"""The calls in the open data: calls.csv, call-commons.csv and call-scores.csv (the
consensus scores, only of the batches whose admitting act is recorded). Read in the session the
streamed response gives (commons.public.opendata.stream)."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from commons.calls.models import Call, CallApplication, CallBatch, CallCommons, CallStatus
from commons.proposals.models import Proposal
from commons.public.opendata_formats import Field, csv_lines

CALL_FIELDS = (
    Field("id", "integer", _l("Identifier of the call.")),
    Field("reference", "string", _l("The call's reference.")),
    Field("title", "string", _l("Title of the call.")),
    Field("status", "string", _l("Where the call is, as a code (open, evaluating, ranked...).")),
    Field("themes", "string", _l("Themes of the call, separated by “;”.")),
    Field("deadlines", "string", _l("Deadlines (ISO 8601, UTC), separated by “;”.")),
    Field("min_groups", "integer", _l("Groups a consortium needs at least (1: any group).")),
    Field("threshold", "number", _l("Weighted total a proposal needs to be admitted.")),
    Field(
        "act_number",
        "string",
        _l(
            "Number of the act admitting the last batch, once recorded (each batch's act: "
            "call-scores.csv)."
        ),
    ),
    Field("act_date", "date", _l("Date of the act admitting the last batch, once recorded.")),
)

OFFER_FIELDS = (
    Field("call_id", "integer", _l("Identifier of the call (see calls.csv).")),
    Field("commons_id", "integer", _l("Identifier of the commons offered (see commons.geojson).")),
    Field("name", "string", _l("Name of the commons.")),
    Field("floor_area_m2", "number", _l("Floor area in square metres, if given.")),
    Field("condition", "string", _l("Condition, as the information sheet says.")),
    Field("constraints", "string", _l("Constraints, as the information sheet says.")),
)

SCORE_FIELDS = (
    Field("call_id", "integer", _l("Identifier of the call (see calls.csv).")),
    Field("proposal_id", "integer", _l("Identifier of the proposal (see pacts.csv).")),
    Field("rank", "integer", _l("Position in the ranking; empty for an excluded proposal.")),
    Field("criterion", "string", _l("The criterion of the grid.")),
    Field("points", "integer", _l("The panel's consensus points on it.")),
    Field("max_points", "integer", _l("The top of its scale.")),
    Field("weight", "number", _l("Its weight in the total.")),
    Field("reason", "string", _l("The panel's reason.")),
    Field("total", "number", _l("The proposal's weighted total.")),
    Field("outcome", "string", _l("admitted, below_threshold or excluded.")),
    Field("batch_id", "integer", _l("Identifier of the batch (the deadline) it was ranked in.")),
    Field("batch", "string", _l("The batch's name.")),
    Field("act_number", "string", _l("Number of the act admitting the batch.")),
    Field("act_date", "date", _l("Date of the act admitting the batch.")),
)

_PUBLIC = [s.value for s in CallStatus if s != CallStatus.DRAFT]


def call_rows(session: Session) -> Iterator[dict]:
    calls = session.scalars(
        select(Call)
        .where(Call.status.in_(_PUBLIC))
        .options(selectinload(Call.batches))
        .order_by(Call.id)
    )
    for call in calls:
        yield {
            "id": call.id,
            "reference": call.reference,
            "title": call.title,
            "status": call.status,
            "themes": ";".join(t["title"] for t in call.themes),
            "deadlines": ";".join(b.deadline.strftime("%Y-%m-%dT%H:%M:%SZ") for b in call.batches),
            "min_groups": call.min_groups,
            "threshold": call.threshold,
            "act_number": call.act_number or "",
            "act_date": call.act_date.isoformat() if call.act_date else "",
        }


def offer_rows(session: Session) -> Iterator[dict]:
    offers = session.scalars(
        select(CallCommons)
        .join(Call, Call.id == CallCommons.call_id)
        .where(Call.status.in_(_PUBLIC))
        .order_by(CallCommons.call_id, CallCommons.id)
    )
    for offer in offers:
        yield {
            "call_id": offer.call_id,
            "commons_id": offer.commons_id,
            "name": offer.commons.name,
            "floor_area_m2": "" if offer.floor_area_m2 is None else offer.floor_area_m2,
            "condition": offer.condition,
            "constraints": offer.constraints,
        }


def score_rows(session: Session) -> Iterator[dict]:
    """The consensus scores of the batches whose act is recorded (each batch's results are
    public from its own act), batch by batch in ranking order."""
    applications = session.scalars(
        select(CallApplication)
        .join(CallBatch, CallBatch.id == CallApplication.batch_id)
        .join(Proposal, Proposal.id == CallApplication.proposal_id)
        .where(CallBatch.act_number.is_not(None), Proposal.submitted_at.is_not(None))
        .options(selectinload(CallApplication.consensus), contains_eager(CallApplication.batch))
        .order_by(
            CallApplication.call_id,
            CallApplication.batch_id,
            CallApplication.rank,
            CallApplication.id,
        )
    )
    for application in applications:
        batch = application.batch
        for score in sorted(application.consensus, key=lambda s: s.criterion.position):
            yield {
                "call_id": application.call_id,
                "proposal_id": application.proposal_id,
                "rank": application.rank if application.rank is not None else "",
                "criterion": score.criterion.title,
                "points": score.points,
                "max_points": score.criterion.max_points,
                "weight": score.criterion.weight,
                "reason": score.reason,
                "total": "" if application.total is None else application.total,
                "outcome": application.outcome or "",
                "batch_id": batch.id,
                "batch": batch.label,
                "act_number": batch.act_number,
                "act_date": batch.act_date.isoformat(),
            }


def calls_csv(session: Session) -> Iterator[str]:
    return csv_lines(CALL_FIELDS, call_rows(session))


def offers_csv(session: Session) -> Iterator[str]:
    return csv_lines(OFFER_FIELDS, offer_rows(session))


def scores_csv(session: Session) -> Iterator[str]:
    return csv_lines(SCORE_FIELDS, score_rows(session))
