"""The monitoring report form of an active pact: text, indicators and photos."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

import workflows
from commons.auth.permissions import ensure
from commons.extensions import db
from commons.formatting import current_language
from commons.impact.forms import collect
from commons.impact.queries import register_districts, report_form_framework
from commons.monitoring.forms import ReportForm, report_form
from commons.proposals.models import Proposal
from commons.transactions import Transition, commit_step
from commons.uploads import operations as uploads

monitoring_bp = Blueprint("monitoring", __name__)

PHOTO = "report_photo"


def _form(proposal) -> ReportForm:
    """The report form with the indicators of the framework for the pact's type and state."""
    framework, indicators = report_form_framework(proposal.pact_type, proposal.status)
    districts = (
        register_districts()
        if any(framework.breakdowns[d].from_register for i in indicators for d in i.breakdowns)
        else ()
    )
    form = report_form(framework, indicators, current_language(), districts)
    form.photos.description = _(
        "JPEG or PNG images, at most %(mb)d MB each.", mb=current_app.config["MAX_UPLOAD_MB"]
    )
    return form


def _page(proposal, form, pending, status=200, problem=None):
    return (
        render_template(
            "monitoring/report_form.html",
            proposal=proposal,
            form=form,
            pending=pending,
            problem=problem,
        ),
        status,
    )


@monitoring_bp.route("/proposals/<int:proposal_id>/report", methods=["GET", "POST"])
@login_required
def file_report(proposal_id: int):
    """File a monitoring report through the ``file_report`` trigger; photos through uploads.

    Photos accepted while other answers need correcting are kept (listed, with their ids in
    the form), so nobody has to choose them again.
    """
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    ensure("proposal.view_private", proposal)
    ensure("fire:file_report", proposal)
    form = _form(proposal)
    if request.method == "GET":
        return _page(proposal, form, [])
    pending = uploads.pending_attachments(
        request.form.getlist("photo_ids"), owner=current_user, proposal=proposal, purpose=PHOTO
    )
    valid = form.validate_on_submit()
    kept, problems = uploads.save_uploads(
        request.files.getlist(form.photos.name),
        owner=current_user,
        purpose=PHOTO,
        proposal=proposal,
        images_only=True,
    )
    pending += kept
    commit_step()  # accepted photos are kept even if the report needs correcting
    if problems:
        form.photos.errors = list(problems)
    if not (form.report_text.data or "").strip():
        form.report_text.errors = [*form.report_text.errors, _("Say what was done.")]
    values, breakdowns = collect(form, form.framework, form.indicators)
    if not valid or problems or form.report_text.errors or form.errors:
        return _page(proposal, form, pending, status=422)
    data = {
        "report_text": form.report_text.data,
        "impact": {
            "framework": form.framework.id,
            "version": form.framework.version,
            "values": values,
            "breakdowns": breakdowns,
        },
    }
    if form.final.data:
        data["final"] = "y"
    if form.publish_photos.data:
        data["publish_photos"] = "y"

    def refused(error, status):
        return _page(proposal, form, pending, status=status, problem=error.message)

    with Transition(refused=refused) as fired:
        event = workflows.fire(
            proposal,
            "file_report",
            current_user._get_current_object(),
            expected_version=request.form.get("expected_version", type=int),
            **data,
        )
        # With the representative's consent, the copies shown in public are made now.
        uploads.link_attachments(
            pending, event.payload["report_id"], public=bool(form.publish_photos.data)
        )
    if not fired:
        return fired.response
    flash(_("Your monitoring report is filed. Thank you."), "success")
    return redirect(url_for("proposals.case", proposal_id=proposal.id) + "#reports-title")
