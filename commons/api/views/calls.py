"""The API's calls on listed commons: the calls, applying to one, an evaluator's declaration
and scores, and the results once the admitting act is recorded."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_babel import gettext as _
from marshmallow import fields, validate

from commons import limits
from commons.api.schemas import PageArgs, Text, chars, page_of
from commons.api.views.base import _get, api_bp, documented_errors, ensure, user
from commons.calls import evaluation
from commons.calls import operations as call_ops
from commons.calls import queries as call_queries
from commons.calls.models import Call, CallApplication
from commons.errors import DomainError, NotFound
from commons.groups.models import ProponentGroup


class SheetFileOut(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.Function(
        lambda f: "photo" if f.is_photo else "plan",
        required=True,
        metadata={"description": "photo (JPEG, PNG) or plan (PDF)."},
    )
    description = Text(
        required=True, metadata={"description": "A photo's alternative text, a plan's title."}
    )
    content_type = Text(required=True, attribute="attachment.content_type")
    size = fields.Integer(required=True, attribute="attachment.size")
    sha256 = Text(required=True, attribute="attachment.sha256")
    url = fields.Function(
        lambda f: url_for("calls.sheet_file", call_id=f.offer.call_id, sheet_id=f.id),
        required=True,
    )


class OfferOut(ma.Schema):
    commons_id = fields.Integer(required=True)
    name = Text(required=True, attribute="commons.name")
    floor_area_m2 = fields.Float(required=True, allow_none=True)
    condition = Text(required=True)
    constraints = Text(required=True)
    plans = Text(required=True)
    visiting_slots = fields.List(Text(), required=True)
    themes = fields.List(Text(), required=True)
    files = fields.List(fields.Nested(SheetFileOut), required=True)


class BatchOut(ma.Schema):
    id = fields.Integer(required=True)
    label = Text(required=True)
    deadline = fields.DateTime(required=True)
    themes = fields.List(Text(), required=True)
    closed_at = fields.DateTime(required=True, allow_none=True)
    ranked_at = fields.DateTime(required=True, allow_none=True)
    act_number = Text(required=True, allow_none=True)
    act_date = fields.Date(required=True, allow_none=True)


class CriterionOut(ma.Schema):
    id = fields.Integer(required=True)
    key = Text(required=True)
    title = Text(required=True)
    description = Text(required=True)
    weight = fields.Float(required=True)
    max_points = fields.Integer(required=True)


class CallOut(ma.Schema):
    id = fields.Integer(required=True)
    reference = Text(required=True)
    title = Text(required=True)
    text = Text(required=True)
    status = Text(required=True)
    themes = fields.List(fields.Dict(), required=True)
    proponent_kinds = fields.List(Text(), required=True)
    min_groups = fields.Integer(required=True)
    no_advantage_required = fields.Boolean(required=True)
    questions = fields.List(fields.Dict(), required=True)
    faq = fields.List(fields.Dict(), required=True)
    threshold = fields.Float(required=True)
    act_kind = Text(required=True)
    act_number = Text(required=True, allow_none=True)
    act_date = fields.Date(required=True, allow_none=True)
    offers = fields.List(fields.Nested(OfferOut), required=True)
    batches = fields.List(fields.Nested(BatchOut), required=True)
    criteria = fields.List(fields.Nested(CriterionOut), required=True)


class PartnerIn(ma.Schema):
    name = Text(required=True, validate=chars(limits.NAME, min=1))
    kind = Text(required=True)
    email = Text(load_default=None, validate=chars(limits.EMAIL))


class ApplicationIn(ma.Schema):
    group_id = fields.Integer(required=True, metadata={"description": "A group you represent."})
    title = Text(required=True, validate=chars(limits.NAME, min=1))
    theme = Text(load_default=None)
    commons_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))
    partners = fields.List(fields.Nested(PartnerIn), load_default=list)
    answers = fields.Dict(keys=Text(), values=Text(validate=chars(limits.PARAGRAPH)))
    no_advantage = fields.Boolean(load_default=False)


class ApplicationOut(ma.Schema):
    id = fields.Integer(required=True)
    call_id = fields.Integer(required=True)
    proposal_id = fields.Integer(required=True)
    batch = Text(required=True, attribute="batch.label")
    deadline = fields.DateTime(required=True, attribute="batch.deadline")
    theme = Text(required=True, allow_none=True)
    groups = fields.Integer(required=True, attribute="group_count")


class DeclarationIn(ma.Schema):
    no_conflict = fields.Boolean(required=True)
    recusal = Text(load_default="", validate=chars(limits.REASON * 2))


class ScoreIn(ma.Schema):
    criterion_id = fields.Integer(required=True)
    points = fields.Integer(required=True)
    reason = Text(required=True, validate=chars(limits.PARAGRAPH))


class ScoresIn(ma.Schema):
    scores = fields.List(fields.Nested(ScoreIn), required=True)
    submit = fields.Boolean(load_default=False)


class ScoreOut(ma.Schema):
    criterion_id = fields.Integer(required=True)
    points = fields.Integer(required=True)
    reason = Text(required=True)


class ReviewOut(ma.Schema):
    evaluator = Text(required=True, attribute="evaluator.full_name")
    no_conflict_declared_at = fields.DateTime(required=True, allow_none=True)
    recused_reason = Text(required=True, allow_none=True)
    submitted_at = fields.DateTime(required=True, allow_none=True)
    scores = fields.List(fields.Nested(ScoreOut), required=True)


class ResultOut(ma.Schema):
    proposal_id = fields.Integer(required=True)
    title = Text(required=True)
    batch_id = fields.Integer(required=True)
    batch = Text(required=True, metadata={"description": "The batch's name."})
    act_number = Text(required=True, metadata={"description": "The act admitting the batch."})
    act_date = fields.Date(required=True)
    rank = fields.Integer(required=True, allow_none=True)
    total = fields.Float(required=True, allow_none=True)
    outcome = Text(required=True, allow_none=True)
    outcome_reason = Text(required=True, allow_none=True)
    scores = fields.List(fields.Nested(ScoreOut), required=True)


class ResultListArgs(PageArgs):
    batch_id = fields.Integer(
        load_default=None, metadata={"description": "Only this batch's results."}
    )


def _call(call_id: int, action: str = "call.view") -> Call:
    call = _get(Call, call_id)
    ensure(action, call)
    return call


def _application(call: Call, application_id: int) -> CallApplication:
    application = _get(CallApplication, application_id)
    if application.call_id != call.id:
        raise NotFound(_("There is no such item."))
    return application


@api_bp.get("/calls", tags=["Calls"])
@api_bp.response(200, CallOut(many=True))
def calls_list():
    """The calls the public sees, those open now first."""
    return call_queries.public_calls()


@api_bp.get("/calls/<int:call_id>", tags=["Calls"])
@api_bp.response(200, CallOut)
@documented_errors(404)
def calls_get(call_id: int):
    """One call: its commons with their sheets, deadlines, grid, questions and FAQ."""
    return _call(call_id)


@api_bp.post("/calls/<int:call_id>/applications", tags=["Calls"])
@api_bp.arguments(ApplicationIn)
@api_bp.response(201, ApplicationOut)
@documented_errors(401, 403, 404, 422)
def calls_apply(data, call_id: int):
    """Start a proposal answering the call (a draft; complete and submit it as any proposal,
    by its batch's deadline)."""
    call = _call(call_id, "call.apply")
    group = _get(ProponentGroup, data.pop("group_id"))
    if group.representative_id != user().id:
        raise DomainError(_("Choose a group you represent."), field="group_id")
    return call_ops.apply_to_call(
        call,
        representative=user(),
        group=group,
        title=data["title"],
        theme=data["theme"],
        commons_ids=data["commons_ids"],
        partners=data["partners"],
        answers=data.get("answers") or {},
        no_advantage=data["no_advantage"],
    )


@api_bp.get("/calls/<int:call_id>/applications/<int:application_id>/reviews", tags=["Calls"])
@api_bp.response(200, ReviewOut(many=True))
@documented_errors(401, 403, 404)
def calls_reviews(call_id: int, application_id: int):
    """The reviews an evaluator may see: their own, and the others' once theirs is submitted."""
    call = _call(call_id, "call.evaluate")
    return evaluation.reviews_visible_to(_application(call, application_id), user())


@api_bp.post("/calls/<int:call_id>/applications/<int:application_id>/declaration", tags=["Calls"])
@api_bp.arguments(DeclarationIn)
@api_bp.response(201, ReviewOut)
@documented_errors(401, 403, 404, 409, 422)
def calls_declare(data, call_id: int, application_id: int):
    """Declare no conflict of interest on the proposal, or recuse yourself (with a reason)."""
    call = _call(call_id, "call.evaluate")
    return evaluation.declare(
        _application(call, application_id),
        evaluator=user(),
        no_conflict=data["no_conflict"],
        recusal=data["recusal"],
    )


@api_bp.put("/calls/<int:call_id>/applications/<int:application_id>/scores", tags=["Calls"])
@api_bp.arguments(ScoresIn)
@api_bp.response(200, ReviewOut)
@documented_errors(401, 403, 404, 409, 422)
def calls_score(data, call_id: int, application_id: int):
    """Your points and reasons per criterion; `submit` makes them final (every criterion)."""
    call = _call(call_id, "call.evaluate")
    application = _application(call, application_id)
    review = evaluation.review_of(application, user())
    if review is None:
        raise DomainError(_("Declare that you have no conflict of interest before scoring."))
    scores = {s["criterion_id"]: (s["points"], s["reason"]) for s in data["scores"]}
    evaluation.save_scores(review, scores, submit=data["submit"])
    return review


@api_bp.get("/calls/<int:call_id>/results", tags=["Calls"])
@api_bp.arguments(ResultListArgs, location="query")
@api_bp.response(200, page_of(ResultOut, "CallResultPage"))
@documented_errors(400, 401, 403, 404)
def calls_results(args, call_id: int):
    """The ranking with the consensus scores and reasons, batch by batch, of the batches whose
    act is recorded (each batch's results are public from its own act); `batch_id`: one
    batch's only."""
    call = _call(call_id, "call.results")
    published = [b.id for b in call.batches if b.results_public]
    if args["batch_id"] is not None:
        if args["batch_id"] not in {b.id for b in call.batches}:
            raise NotFound(_("There is no such item."))
        published = [i for i in published if i == args["batch_id"]]
    token = args.get("cursor")
    if token and not call_queries.valid_cursor(token):
        raise DomainError(_("This cursor is not valid; start again from the first page."), "cursor")
    page = call_queries.ranking_rows(call, after=token, limit=args["limit"], batch_ids=published)
    position = {c.id: c.position for c in call.criteria}
    items = [
        {
            "proposal_id": row.proposal_id,
            "title": row.title,
            "batch_id": row.batch_id,
            "batch": row.batch_label,
            "act_number": row.act_number,
            "act_date": row.act_date,
            "rank": row.rank,
            "total": row.total,
            "outcome": row.outcome,
            "outcome_reason": row.outcome_reason,
            "scores": [
                {"criterion_id": criterion_id, "points": points, "reason": reason}
                for criterion_id, (points, reason) in sorted(
                    page.scores.get(row.id, {}).items(), key=lambda item: position[item[0]]
                )
            ],
        }
        for row in page.rows
    ]
    return {"items": items, "next_cursor": page.next_cursor}
