"""The online application's pages: one route per step of a draft, submit, the receipt, and the
answer to an integration request (URLs under /apply, endpoints ``apply.*``)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

import workflows
from commons import limits
from commons.apply.forms import (
    ActivitiesForm,
    DurationForm,
    ObjectivesForm,
    PlacesForm,
    StartForm,
    SupportForm,
    attachment_form,
    start_form,
)
from commons.apply.operations import proposing_group
from commons.apply.queries import places_list
from commons.apply.steps import STEP_NAMES, STEPS, step_after
from commons.auth.permissions import ensure, permission_required
from commons.errors import DomainError
from commons.extensions import db
from commons.forms import FormTransaction, choices, form_status
from commons.privacy import operations as privacy
from commons.proposals import operations
from commons.proposals.forms import attachment_kinds, support_labels
from commons.proposals.labels import pact_type_label, state_label
from commons.proposals.models import Proposal
from commons.registry.models import Commons
from commons.transactions import Transition
from commons.uploads import operations as uploads

apply_bp = Blueprint("apply", __name__, url_prefix="/apply")


def _load(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    ensure("proposal.view", proposal)
    if not proposal.is_draft:
        # Submitted: the application is closed; its confirmation stays, for its representative.
        ensure("proposal.application", proposal)
        return proposal
    ensure("proposal.edit", proposal)
    return proposal


def _editable(proposal_id: int) -> Proposal:
    proposal = _load(proposal_id)
    if not proposal.is_draft:
        flash(_("This proposal was submitted already: it can no longer be changed."), "info")
        abort(redirect(url_for("proposals.case", proposal_id=proposal.id)))
    return proposal


def _go(proposal: Proposal, step: str):
    """After saving a step: next, back, or leave for the list of my proposals."""
    where = request.form.get("go", "next")
    if where == "leave":
        flash(_("Your draft is saved. You can come back to it from My proposals."), "success")
        return redirect(url_for("proposals.mine"))
    target = step_after(step, where)
    return redirect(url_for("apply.step", proposal_id=proposal.id, step=target))


def _render(step: str, proposal: Proposal | None, form, status: int | None = None, **context):
    if status is None:
        status = form_status(form)
    return (
        render_template(
            f"apply/{step}.html",
            step=step,
            steps=STEPS,
            step_index=STEP_NAMES.index(step),
            proposal=proposal,
            form=form,
            **context,
        ),
        status,
    )


def _wants_next() -> bool:
    return request.form.get("go", "next") == "next"


def _step_form(form_class, proposal: Proposal, **kwargs):
    """A step's form: shown, the draft's answers and the version they were read at; sent,
    what was typed (with the version the page was loaded from)."""
    if request.method != "GET":
        return form_class(**kwargs)
    form = form_class(obj=proposal, **kwargs)
    form.start_from(proposal)
    return form


def _saving(form, proposal: Proposal, *names: str) -> FormTransaction:
    """Save a step; refused as stale, the page shows what is stored now in ``names``."""

    def stored(draft: Proposal) -> dict:
        return {n: draft.group_id if n == "group" else getattr(draft, n) for n in names}

    return FormTransaction(form, edited=proposal, stored=stored)


# --- step 1: who proposes, and the title; creates the draft ----------------------------------


def _start_form(proposal: Proposal | None) -> StartForm:
    return start_form(current_user, proposal, shown=request.method == "GET")


def _group_from(form: StartForm):
    """The group chosen on step 1, or a new one created from the form (its representative: me)."""
    return proposing_group(
        current_user,
        choice=form.group.data,
        new_name=form.new_group_name.data,
        new_kind=form.new_group_kind.data,
    )


@apply_bp.route("/", methods=["GET", "POST"])
@permission_required("proposal.create")
def start():
    """Step 1 of a new application: who proposes and a title. Sending it creates the draft."""
    form = _start_form(None)
    notice = _notice_to_acknowledge()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            if notice is not None:
                privacy.acknowledge_from_form(
                    current_user, form.privacy.data, form.notice_version.data, context="apply"
                )
            group = _group_from(form)
            proposal = operations.create_draft(
                representative=current_user,
                group=group,
                title=form.title.data,
                pact_type=workflows.get_profile(current_app.config["PROFILE"]).pact_types[0],
            )
        if saved:
            if request.form.get("go") == "leave":
                return _go(proposal, "start")
            return redirect(url_for("apply.step", proposal_id=proposal.id, step="places"))
    if notice is not None:
        if form.notice_version.data != str(notice.version):
            form.privacy.data = False  # a newer notice than the one ticked: read it first
        form.notice_version.data = str(notice.version)
    return _render("start", None, form, notice=notice)


def _notice_to_acknowledge():
    """The privacy notice in force, when the person has not acknowledged it yet; else None."""
    if not privacy.needs_acknowledgement(current_user):
        return None
    return privacy.notice(str(get_locale() or "en"))


@apply_bp.route("/<int:proposal_id>/<step>", methods=["GET", "POST"])
@login_required
def step(proposal_id: int, step: str):
    """Any later step of a draft: show it with what was saved, or save it and move on."""
    handler = _HANDLERS.get(step)
    if handler is None:
        abort(404)
    return handler(_editable(proposal_id))


def _start_step(proposal: Proposal):
    form = _start_form(proposal)
    if form.validate_on_submit():
        with _saving(form, proposal, "title", "group") as saved:
            group = _group_from(form)
            operations.update_draft(
                proposal,
                actor=current_user,
                base_version=form.version(),
                title=form.title.data,
                group=group,
            )
        if saved:
            return _go(proposal, "start")
    return _render("start", proposal, form)


# --- step 2: the commons, from the register or a new place -----------------------------------


def _places(proposal: Proposal, chosen: list[Commons] | None) -> dict:
    return places_list(
        proposal,
        q=(request.args.get("q") or "").strip(),
        district=(request.args.get("district") or "").strip(),
        chosen=chosen,
    )


def _places_step(proposal: Proposal):
    form = _step_form(PlacesForm, proposal)
    picked = None
    if form.validate_on_submit():
        wanted = {int(i) for i in request.form.getlist("commons") if i.isdigit()}
        picked = (
            db.session.scalars(select(Commons).where(Commons.id.in_(wanted))).all()
            if wanted
            else []
        )
        names = ("new_place_address", "new_place_latitude", "new_place_longitude")
        with _saving(form, proposal, *names) as saved:
            if _wants_next() and not picked and not form.new_place_address.data:
                raise DomainError(
                    _(
                        "Choose at least one commons from the list, or give the address of a new "
                        "place."
                    )
                )
            operations.choose_places(
                proposal,
                base_version=form.version(),
                commons=picked,
                new_place_address=form.new_place_address.data,
                new_place_latitude=form.new_place_latitude.data,
                new_place_longitude=form.new_place_longitude.data,
            )
        if saved:
            return _go(proposal, "places")
        if getattr(form, "stored_meanwhile", None) is not None:
            # Refused as stale: the ticks are not a form field, say the stored ones too.
            stored = list(proposal.commons)
            if {c.id for c in stored} != {c.id for c in picked}:
                names = ", ".join(sorted(c.name for c in stored)) or _("(empty)")
                form.stored_meanwhile.append((_("Commons in the register"), names))
    return _render("places", proposal, form, **_places(proposal, picked))


# --- steps 3-6: objectives, activities, support, duration ------------------------------------


def _text_step(proposal: Proposal, name: str, form_class, message: str):
    form = _step_form(form_class, proposal)
    if form.validate_on_submit():
        value = getattr(form, name).data or ""
        with _saving(form, proposal, name) as saved:
            if _wants_next() and not value.strip():
                raise DomainError(message, field=name)
            operations.update_draft(
                proposal, actor=current_user, base_version=form.version(), **{name: value}
            )
        if saved:
            return _go(proposal, name)
    return _render(name, proposal, form)


def _objectives_step(proposal: Proposal):
    return _text_step(proposal, "objectives", ObjectivesForm, _("Say what you want to achieve."))


def _activities_step(proposal: Proposal):
    return _text_step(proposal, "activities", ActivitiesForm, _("Say what you will do."))


def _support_step(proposal: Proposal):
    form = _step_form(SupportForm, proposal)
    form.support_requested.choices = choices(support_labels().items())
    if form.validate_on_submit():
        with _saving(form, proposal, "support_requested", "support_notes") as saved:
            operations.update_draft(
                proposal,
                actor=current_user,
                base_version=form.version(),
                support_requested=form.support_requested.data,
                support_notes=form.support_notes.data,
            )
        if saved:
            return _go(proposal, "support")
    return _render("support", proposal, form)


def _duration_step(proposal: Proposal):
    profile = workflows.get_profile(proposal.profile)
    max_months = int(profile.clocks["max_term_months"])
    form = _step_form(DurationForm, proposal)
    form.pact_type.choices = choices((t, pact_type_label(t)) for t in profile.pact_types)
    form.requested_duration_months.description = _(
        "At most %(n)d months under the city's regulation.", n=max_months
    )
    if form.validate_on_submit():
        months = form.requested_duration_months.data
        names = ["requested_duration_months", "start_date"]
        if len(profile.pact_types) > 1:
            names.append("pact_type")
        with _saving(form, proposal, *names) as saved:
            if months is not None and months > max_months:
                raise DomainError(
                    _("At most %(n)d months.", n=max_months), field="requested_duration_months"
                )
            if _wants_next() and months is None:
                raise DomainError(
                    _("Enter how many months the pact should last."),
                    field="requested_duration_months",
                )
            fields = {"requested_duration_months": months, "start_date": form.start_date.data}
            if len(profile.pact_types) > 1 and form.pact_type.data in profile.pact_types:
                fields["pact_type"] = form.pact_type.data
            operations.update_draft(
                proposal, actor=current_user, base_version=form.version(), **fields
            )
        if saved:
            return _go(proposal, "duration")
    return _render("duration", proposal, form, choose_type=len(profile.pact_types) > 1)


# --- step 7: attachments, through the uploads package ----------------------------------------


def _attachments_step(proposal: Proposal):
    form = attachment_form(current_app.config["MAX_UPLOAD_MB"])
    if request.method == "POST" and form.validate_on_submit():
        file = request.files.get("file")
        if not uploads.is_empty(file):
            with FormTransaction(form) as saved:
                attachment = uploads.save_upload(
                    file,
                    owner=current_user,
                    purpose=form.purpose.data,
                    proposal=proposal,
                    field="file",
                )
            if not saved:
                return _attachments_page(proposal, form)
            flash(_("Attached: %(name)s.", name=attachment.original_name), "success")
        if request.form.get("go") == "add":
            return redirect(url_for("apply.step", proposal_id=proposal.id, step="attachments"))
        return _go(proposal, "attachments")
    return _attachments_page(proposal, form)


def _attachments_page(proposal: Proposal, form):
    return _render(
        "attachments",
        proposal,
        form,
        attachments=uploads.attachments_for(proposal),
        kinds=attachment_kinds(),
    )


# --- step 8: check your answers, then submit --------------------------------------------------


def _check_page(proposal: Proposal, problem: str | None = None, status: int = 200):
    from commons.proposals.answers import application_answers

    return _render(
        "check",
        proposal,
        None,
        status=status,
        problem=problem,
        answers=application_answers(proposal),
    )


def _check_step(proposal: Proposal):
    if request.method == "POST":
        abort(405)
    return _check_page(proposal)


@apply_bp.post("/<int:proposal_id>/submit")
@login_required
def submit(proposal_id: int):
    """Submit the application: the lifecycle's ``submit`` trigger, through the engine."""
    proposal = _editable(proposal_id)
    with Transition(
        refused=lambda error, status: _check_page(proposal, problem=error.message, status=status)
    ) as fired:
        workflows.fire(
            proposal,
            "submit",
            current_user._get_current_object(),
            expected_version=request.form.get("expected_version", type=int),
        )
    if not fired:
        return fired.response
    return redirect(url_for("apply.submitted", proposal_id=proposal.id))


@apply_bp.get("/<int:proposal_id>/submitted")
@login_required
def submitted(proposal_id: int):
    """The confirmation: protocol number and the receipt."""
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    ensure("proposal.view_private", proposal)
    if proposal.protocol_number is None:
        return redirect(url_for("apply.step", proposal_id=proposal.id, step="check"))
    return render_template("apply/submitted.html", proposal=proposal, state_label=state_label)


@apply_bp.get("/<int:proposal_id>/receipt.pdf")
@login_required
def receipt(proposal_id: int):
    """The PDF receipt of a submitted application, rendered from what was submitted."""
    from commons.proposals.receipt import render_receipt_pdf

    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    ensure("proposal.view_private", proposal)
    if proposal.protocol_number is None:
        abort(404)
    pdf = render_receipt_pdf(proposal)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    name = f"receipt-{proposal.protocol_number.replace('/', '-')}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


_HANDLERS = {
    "start": _start_step,
    "places": _places_step,
    "objectives": _objectives_step,
    "activities": _activities_step,
    "support": _support_step,
    "duration": _duration_step,
    "attachments": _attachments_step,
    "check": _check_step,
}


# --- answering an integration request, with files ----------------------------------------------


@apply_bp.post("/<int:proposal_id>/answer")
@login_required
def answer(proposal_id: int):
    """The representative answers the office's integration request, with files if needed.

    The answer is checked first and the files next, so a refusal stores nothing and the
    typed answer comes back on the case page with the reason.
    """
    from commons.proposals.views import render_case

    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    ensure("proposal.view_private", proposal)
    ensure("fire:integrate", proposal)
    values = {k: request.form.get(k, "") for k in ("answer", "comment")}

    def refuse(errors: dict, message: str, status: int = 422):
        return render_case(
            proposal,
            errors=errors,
            failed="integrate",
            message=message,
            values=values,
            status=status,
        )

    if not values["answer"].strip():
        return refuse({"answer": _("required")}, _("Write your answer to the office."))
    for name in ("answer", "comment"):
        if len(values[name]) > limits.REPORT:
            message = limits.too_long(limits.REPORT, len(values[name]))
            return refuse({name: message}, message)
    kept, problems = uploads.save_uploads(
        request.files.getlist("files"),
        owner=current_user,
        purpose="integration",
        proposal=proposal,
    )
    if problems:
        _discard(kept)
        return refuse({"files": " ".join(problems)}, " ".join(problems))
    stored = [uploads.path_of(a) for a in kept]

    def forget_files():  # their rows went with the rollback: remove the bytes too
        for path in stored:
            path.unlink(missing_ok=True)

    def refused(error, status):
        return refuse(getattr(error, "fields", {}) or {}, error.message, status)

    with Transition(refused=refused, rolled_back=forget_files) as fired:
        event = workflows.fire(
            proposal,
            "integrate",
            current_user._get_current_object(),
            expected_version=request.form.get("expected_version", type=int),
            answer=values["answer"],
            comment=values["comment"],
            files=[a.original_name for a in kept],
        )
        uploads.link_attachments(kept, event.seq)
    if not fired:
        return fired.response
    flash(_("Your answer is sent to the office."), "success")
    return redirect(url_for("proposals.case", proposal_id=proposal.id))


def _discard(attachments) -> None:
    """Forget files stored for a request that was refused: rows and bytes."""
    paths = [uploads.path_of(a) for a in attachments]
    db.session.rollback()
    for path in paths:
        path.unlink(missing_ok=True)
