"""The call pages: the list and a call's page (public), the Atom feed, applying to a call,
the photos and plans of the information sheets, and the office's buttons moving a call (URLs
under /calls, endpoints ``calls.*``). The panel's pages are in commons.calls.panel_views."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from commons.apply.operations import proposing_group
from commons.auth.permissions import can, ensure
from commons.calls import operations
from commons.calls import queries as call_queries
from commons.calls.deadlines import open_batch
from commons.calls.exports import result_header, result_page
from commons.calls.forms import StepForm, answers_of, apply_form, partners_of, sheet_form
from commons.calls.labels import OUTCOME_LABELS, STATUS_LABELS, STEP_LABELS
from commons.calls.models import Call, CallStatus, SheetFile
from commons.db import utcnow
from commons.extensions import db
from commons.forms import FormTransaction, form_status
from commons.groups.operations import kind_labels
from commons.transactions import transaction
from commons.uploads.operations import size_limit_message
from commons.uploads.views import serve

calls_bp = Blueprint("calls", __name__, url_prefix="/calls")


def load_call(call_id: int, action: str = "call.view") -> Call:
    call = db.session.get(Call, call_id) or abort(404)
    ensure(action, call)
    return call


@calls_bp.get("/")
def index():
    calls = call_queries.public_calls()
    if can(current_user, "call.manage"):
        calls = call_queries.all_calls()
    return render_template("calls/index.html", calls=calls, labels=STATUS_LABELS)


def visible_batches(call: Call) -> list:
    """The batches whose results the current user may read: for the public, those whose act
    is recorded; for the office, the chair and auditors, every ranked one."""
    return [b for b in call.batches if can(current_user, "call.batch_results", b)]


@calls_bp.get("/<int:call_id>")
def detail(call_id: int):
    call = load_call(call_id)
    results = []
    if can(current_user, "call.results", call):
        shown = request.args.get("batch", type=int)
        for batch in visible_batches(call):
            page = call_queries.ranking_rows(
                call,
                after=request.args.get("after") if shown == batch.id else None,
                limit=call_queries.PAGE_SIZE,
                batch_ids=[batch.id],
            )
            results.append((batch, result_page(call, page), page.next_cursor))
    return render_template(
        "calls/detail.html",
        call=call,
        labels=STATUS_LABELS,
        outcomes=OUTCOME_LABELS,
        next_batch=open_batch(call, utcnow()),
        results=results,
        result_header=result_header(call) if results else None,
        shown_batch=request.args.get("batch", type=int),
        step_form=StepForm(),
        steps=_steps(call),
        step_labels=STEP_LABELS,
        kinds=kind_labels(),
    )


@calls_bp.get("/feed.atom")
def feed():
    calls = call_queries.public_calls()
    body = render_template("calls/feed.atom", calls=calls, labels=STATUS_LABELS, now=utcnow())
    return Response(body, mimetype="application/atom+xml")


# --- applying -------------------------------------------------------------------------------


@calls_bp.route("/<int:call_id>/apply", methods=["GET", "POST"])
@login_required
def apply(call_id: int):
    """Start an application: lead group and partners, theme, commons, the call's questions,
    the declaration; then the usual steps of the application complete it."""
    call = load_call(call_id)
    if not can(current_user, "call.apply", call):
        if call.status == CallStatus.OPEN:
            abort(403)  # the call receives applications, not from this account's roles
        flash(_("This call is not receiving applications."), "warning")
        return redirect(url_for("calls.detail", call_id=call.id))
    preset = {}
    if request.method == "GET":
        chosen = request.args.get("commons", type=int)
        preset = {"commons": [chosen] if chosen else [o.commons_id for o in call.offers[:1]]}
        if request.args.get("theme"):
            preset["theme"] = request.args["theme"]
    form = apply_form(call, current_user, **preset)
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            group = proposing_group(
                current_user,
                choice=form.group.data,
                new_name=form.new_group_name.data,
                new_kind=form.new_group_kind.data,
            )
            application = operations.apply_to_call(
                call,
                representative=current_user,
                group=group,
                title=form.title.data,
                theme=form.theme.data,
                commons_ids=form.commons.data or [],
                partners=partners_of(form),
                answers=answers_of(form, call),
                no_advantage=form.no_advantage.data,
            )
        if saved:
            flash(
                _(
                    "Your application to %(call)s is started as a draft: complete it and "
                    "submit it by %(batch)s.",
                    call=call.reference,
                    batch=application.batch.label,
                ),
                "success",
            )
            return redirect(
                url_for("apply.step", proposal_id=application.proposal_id, step="objectives")
            )
    return render_template(
        "calls/apply.html",
        call=call,
        form=form,
        batch=open_batch(call, utcnow(), form.theme.data),
    ), form_status(form)


@calls_bp.post("/applications/<int:proposal_id>/next-batch")
@login_required
def next_batch(proposal_id: int):
    from sqlalchemy import select

    from commons.calls.models import CallApplication

    application = db.session.scalar(
        select(CallApplication).where(CallApplication.proposal_id == proposal_id)
    ) or abort(404)
    ensure("proposal.edit", application.proposal)
    if not StepForm().validate_on_submit():
        abort(400)
    with transaction():
        batch = operations.move_to_next_batch(application, actor=current_user)
    flash(_("The application now goes in %(batch)s.", batch=batch.label), "success")
    return redirect(url_for("apply.step", proposal_id=proposal_id, step="check"))


# --- the office moves the call ----------------------------------------------------------------

STEPS = {
    CallStatus.DRAFT: ("publish", lambda c, u: operations.publish(c, actor=u)),
    CallStatus.PUBLISHED: ("open", lambda c, u: operations.open_call(c, actor=u)),
    CallStatus.OPEN: ("close", lambda c, u: operations.close_batches(c, actor=u)),
    CallStatus.CLOSED: ("evaluate", lambda c, u: operations.start_evaluation(c, actor=u)),
    CallStatus.ADMITTED: ("archive", lambda c, u: operations.archive(c, actor=u)),
}


def _steps(call: Call) -> list[str]:
    if not can(current_user, "call.manage", call):
        return []
    step = STEPS.get(CallStatus(call.status))
    return [step[0]] if step else []


@calls_bp.post("/<int:call_id>/step/<step>")
@login_required
def move(call_id: int, step: str):
    call = load_call(call_id, "call.manage")
    current = STEPS.get(CallStatus(call.status))
    if current is None or current[0] != step:
        flash(_("The call has moved on meanwhile: nothing was done."), "warning")
        return redirect(url_for("calls.detail", call_id=call.id))
    if not StepForm().validate_on_submit():
        abort(400)
    from commons.errors import REFUSALS

    try:
        with transaction():
            current[1](call, current_user)
    except REFUSALS as refusal:
        flash(refusal.message, "danger")
        return redirect(url_for("calls.detail", call_id=call.id))
    flash(_("Done: the call is now %(status)s.", status=STATUS_LABELS[call.status]), "success")
    return redirect(url_for("calls.detail", call_id=call.id))


# --- the information sheets' photos and plans -------------------------------------------------


def _sheet(call: Call, sheet_id: int) -> SheetFile:
    sheet = db.session.get(SheetFile, sheet_id)
    if sheet is None or sheet.offer.call_id != call.id:
        abort(404)
    return sheet


@calls_bp.route("/<int:call_id>/sheets", methods=["GET", "POST"])
@login_required
def sheets(call_id: int):
    """The office's page of the photos and plans on each offered commons' sheet."""
    call = load_call(call_id, "call.sheet")
    form = sheet_form(call)
    form.file.description = size_limit_message()
    if form.validate_on_submit():
        offer = next(o for o in call.offers if o.id == form.offer.data)
        with FormTransaction(form) as saved:
            operations.add_sheet_file(
                offer, form.file.data, description=form.description.data, actor=current_user
            )
        if saved:
            flash(_("Added to the sheet of %(name)s.", name=offer.commons.name), "success")
            return redirect(url_for("calls.sheets", call_id=call.id))
    return render_template(
        "calls/sheets.html", call=call, form=form, step_form=StepForm()
    ), form_status(form)


@calls_bp.post("/<int:call_id>/sheets/<int:sheet_id>/delete")
@login_required
def delete_sheet_file(call_id: int, sheet_id: int):
    call = load_call(call_id, "call.sheet")
    sheet = _sheet(call, sheet_id)
    if not StepForm().validate_on_submit():
        abort(400)
    name = sheet.attachment.original_name
    with transaction():
        operations.remove_sheet_file(sheet, actor=current_user)
    flash(_("Removed: %(name)s.", name=name), "success")
    return redirect(url_for("calls.sheets", call_id=call.id))


@calls_bp.get("/<int:call_id>/sheets/<int:sheet_id>")
def sheet_file(call_id: int, sheet_id: int):
    """A photo or plan of a sheet, to whoever sees the call (the public, once published)."""
    call = load_call(call_id)
    return serve(_sheet(call, sheet_id).attachment, public=call.status != CallStatus.DRAFT)


# The panel's routes are on this blueprint too.
from commons.calls import panel_views as _panel_views  # noqa: E402, F401
