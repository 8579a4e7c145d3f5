"""The panel's pages of a call: an evaluator's list and review of each proposal (declaration,
blind scores), the chair's page (divergences, consensus, exclusions, ranking, the act) and the
results' exports. Routes of the ``calls`` blueprint."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from commons.calls import evaluation, exports
from commons.calls import queries as call_queries
from commons.calls.forms import (
    ActForm,
    DeclareForm,
    ExcludeForm,
    StepForm,
    score_form,
    scores_of,
)
from commons.calls.labels import OUTCOME_LABELS, STATUS_LABELS
from commons.calls.models import CallApplication, CallBatch
from commons.calls.views import calls_bp, load_call, visible_batches
from commons.db import utcnow
from commons.extensions import db
from commons.forms import FormTransaction, form_status


def _application(call, application_id: int) -> CallApplication:
    application = db.session.get(CallApplication, application_id)
    if application is None or application.call_id != call.id:
        abort(404)
    return application


@calls_bp.get("/<int:call_id>/evaluate")
@login_required
def evaluate(call_id: int):
    call = load_call(call_id, "call.evaluate")
    page = call_queries.applications_for_panel(
        call, current_user, after=request.args.get("after"), limit=call_queries.PAGE_SIZE
    )
    return render_template(
        "calls/evaluate.html", call=call, rows=page.rows, next_cursor=page.next_cursor
    )


@calls_bp.route("/<int:call_id>/evaluate/<int:application_id>", methods=["GET", "POST"])
@login_required
def review(call_id: int, application_id: int):
    call = load_call(call_id, "call.evaluate")
    application = _application(call, application_id)
    own = evaluation.review_of(application, current_user)
    declare = DeclareForm(prefix="declare")
    scores = score_form(call, prefix="score")
    if own is not None and request.method == "GET":
        for s in own.scores:
            criterion = next(c for c in call.criteria if c.id == s.criterion_id)
            getattr(scores, f"points_{criterion.key}").data = s.points
            getattr(scores, f"reason_{criterion.key}").data = s.reason
    if own is None and declare.validate_on_submit():
        with FormTransaction(declare) as saved:
            evaluation.declare(
                application,
                evaluator=current_user,
                no_conflict=declare.declaration.data == "none",
                recusal=declare.recusal.data,
            )
        if saved:
            return redirect(request.path)
    elif own is not None and scores.validate_on_submit():
        submit = request.form.get("go") == "submit"
        with FormTransaction(scores) as saved:
            evaluation.save_scores(own, scores_of(scores, call), submit=submit)
        if saved:
            flash(
                _("Your scores are submitted.") if submit else _("Your scores are saved."),
                "success",
            )
            return redirect(request.path)
    form = declare if own is None else scores
    return render_template(
        "calls/review.html",
        call=call,
        application=application,
        own=own,
        declare=declare,
        scores=scores,
        visible=evaluation.reviews_visible_to(application, current_user),
    ), form_status(form)


@calls_bp.get("/<int:call_id>/panel")
@login_required
def panel(call_id: int):
    call = load_call(call_id, "call.chair")
    return _panel_page(call)


def _batch(call, batch_id: int) -> CallBatch:
    batch = db.session.get(CallBatch, batch_id)
    if batch is None or batch.call_id != call.id:
        abort(404)
    return batch


def _panel_page(call, act_forms: dict | None = None):
    """The chair's page: the batches with their buttons (rank, record the act), then a page
    of the applications (50 rows, Core rows), each with its spreads and the evaluators
    waited for; four queries whatever the number of applications. ``act_forms``: the act
    form of a batch sent back with its errors, by batch id."""
    page = call_queries.ranking_rows(
        call, after=request.args.get("after"), limit=call_queries.PAGE_SIZE
    )
    summary = call_queries.panel_summary(call, [r.id for r in page.rows])
    everyone = [e.user.full_name for e in call.evaluators]
    rows = [(r, *summary.get(r.id, ([], everyone))) for r in page.rows]
    forms = {b.id: ActForm(prefix=f"act{b.id}") for b in call.batches}
    forms.update(act_forms or {})
    return render_template(
        "calls/panel.html",
        call=call,
        rows=rows,
        next_cursor=page.next_cursor,
        labels=STATUS_LABELS,
        outcomes=OUTCOME_LABELS,
        act_forms=forms,
        step_form=StepForm(),
        now=utcnow(),
    )


@calls_bp.route("/<int:call_id>/panel/<int:application_id>", methods=["GET", "POST"])
@login_required
def consensus(call_id: int, application_id: int):
    call = load_call(call_id, "call.chair")
    application = _application(call, application_id)
    form = score_form(call, prefix="consensus")
    exclude = ExcludeForm(prefix="exclude")
    if request.method == "GET":
        for c in application.consensus:
            getattr(form, f"points_{c.criterion.key}").data = c.points
            getattr(form, f"reason_{c.criterion.key}").data = c.reason
    if "exclude-reason" in request.form and exclude.validate_on_submit():
        with FormTransaction(exclude) as saved:
            evaluation.exclude(application, exclude.reason.data, chair=current_user)
        if saved:
            return redirect(url_for("calls.panel", call_id=call.id))
    elif "exclude-reason" not in request.form and form.validate_on_submit():
        with FormTransaction(form) as saved:
            evaluation.record_consensus(application, scores_of(form, call), chair=current_user)
        if saved:
            flash(_("The consensus is recorded."), "success")
            return redirect(url_for("calls.panel", call_id=call.id))
    return render_template(
        "calls/consensus.html",
        call=call,
        application=application,
        form=form,
        exclude=exclude,
        divergences=evaluation.divergences(application),
    ), form_status(form if "exclude-reason" not in request.form else exclude)


@calls_bp.post("/<int:call_id>/batches/<int:batch_id>/rank")
@login_required
def rank_batch(call_id: int, batch_id: int):
    call = load_call(call_id, "call.chair")
    batch = _batch(call, batch_id)
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    with FormTransaction(form) as saved:
        evaluation.rank_batch(batch, chair=current_user)
    if saved:
        flash(_("The proposals of %(batch)s are ranked.", batch=batch.label), "success")
    else:
        flash(saved.error.message, "danger")
    return redirect(url_for("calls.panel", call_id=call.id))


@calls_bp.post("/<int:call_id>/batches/<int:batch_id>/act")
@login_required
def batch_act(call_id: int, batch_id: int):
    call = load_call(call_id, "call.chair")
    batch = _batch(call, batch_id)
    form = ActForm(prefix=f"act{batch.id}")
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            evaluation.record_batch_act(
                batch,
                actor=current_user,
                number=form.act_number.data,
                act_date=form.act_date.data,
            )
        if saved:
            flash(
                _("The act is recorded: the results of %(batch)s are public.", batch=batch.label),
                "success",
            )
            return redirect(url_for("calls.detail", call_id=call.id, _anchor="results"))
        # Someone recorded this batch's act first: 409, with what they recorded.
        status = saved.error.status_code if saved.error else form_status(form)
        return _panel_page(call, {batch.id: form}), status
    return _panel_page(call, {batch.id: form}), form_status(form)


@calls_bp.get("/<int:call_id>/results.<fmt>")
def results(call_id: int, fmt: str):
    call = load_call(call_id, "call.results")
    batch_ids = [b.id for b in visible_batches(call)]
    name = f"call-{call.reference}-results"
    if fmt == "csv":
        return Response(
            exports.results_csv(call, batch_ids),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "xlsx":
        return Response(
            exports.results_xlsx(call, batch_ids),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    abort(404)
