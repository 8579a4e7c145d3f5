"""The auditors' area: search pacts, read a pact's complete history (page and PDF), and make
exports in the background."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import distinct, select

from commons.audit import history as history_ops
from commons.audit import jobs
from commons.audit.forms import FORMAT_LABELS, ExportForm, SearchForm
from commons.audit.models import ExportJob
from commons.auth.permissions import ensure, permission_required
from commons.db import utcnow
from commons.documents.bounded import render_bounded
from commons.errors import DomainError
from commons.extensions import db
from commons.proposals.labels import state_label, trigger_label
from commons.proposals.models import Proposal
from commons.registry.models import Commons
from commons.transactions import transaction
from workflows.engine import get_profile

audit_bp = Blueprint("audit", __name__, url_prefix="/audit")


def _search_form() -> SearchForm:
    districts = db.session.scalars(
        select(distinct(Commons.district))
        .where(Commons.district.is_not(None))
        .order_by(Commons.district)
    ).all()
    profile = get_profile()
    states = [(s, state_label(s)) for s in profile.states if s != profile.initial]
    return SearchForm(request.args, districts=districts, states=states)


def _search_page(export_form: ExportForm, status: int = 200):
    form = _search_form()
    searched = bool(request.args)
    pacts, more, next_after = [], False, None
    valid = form.validate() if searched else True
    if valid:
        try:
            after = int(request.args.get("after", ""))
        except ValueError:
            after = None
        pacts, more = history_ops.search(form.filters(), after=after)
        next_after = pacts[-1].id if more and pacts else None
    if not valid and status == 200:
        status = 422
    return render_template(
        "audit/index.html",
        form=form,
        export_form=export_form,
        pacts=pacts,
        next_after=next_after,
        paged="after" in request.args,
        query=form.query_args() if valid else {},
        state_label=state_label,
    ), status


@audit_bp.get("/")
@permission_required("audit.read")
def index():
    """Search pacts; start an export of what the search selects."""
    return _search_page(ExportForm())


@audit_bp.post("/exports")
@permission_required("audit.export")
def start_export():
    """Start an export of the pacts the search (in the URL) selects, as a background job."""
    form = _search_form()
    export_form = ExportForm()
    if not form.validate() or not export_form.validate_on_submit():
        return _search_page(export_form, status=422)
    try:
        with transaction():
            job = jobs.start_export(
                current_user._get_current_object(),
                export_form.format.data,
                form.filters(),
                bom=export_form.bom.data,
            )
    except DomainError as error:
        if error.status_code == 403:
            abort(403)
        field = getattr(export_form, error.field or "", None)
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            export_form.form_errors.append(error.message)
        return _search_page(export_form, status=422)
    flash(_("The export has started. This page shows its progress."), "success")
    return redirect(url_for("audit.export_job", job_id=job.id))


@audit_bp.get("/exports")
@permission_required("audit.export")
def export_jobs():
    """The exports this auditor started, newest first."""
    rows = db.session.scalars(
        select(ExportJob)
        .where(ExportJob.user_id == current_user.id)
        .order_by(ExportJob.id.desc())
        .limit(50)
    ).all()
    return render_template("audit/exports.html", jobs=rows, formats=FORMAT_LABELS)


def _own_job(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id) or abort(404)
    ensure("audit.export_download", job)
    return job


@audit_bp.get("/exports/<int:job_id>")
@permission_required("audit.export")
def export_job(job_id: int):
    """One export's progress; reloads itself (a meta refresh, no script) until it is finished."""
    job = _own_job(job_id)
    g.no_store = True
    return render_template(
        "audit/export_job.html",
        job=job,
        formats=FORMAT_LABELS,
        running=job.status in ("queued", "running"),
    )


@audit_bp.get("/exports/<int:job_id>/download")
@permission_required("audit.export")
def download_export(job_id: int):
    """The export's file, streamed, with its SHA-256 in the Repr-Digest header."""
    response = jobs.send_export(_own_job(job_id))
    if response is None:
        abort(404)
    g.no_store = True
    return response


def _proposal(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    ensure("audit.read", proposal)
    if proposal.is_draft:
        # A draft is the proponents' own until they submit it.
        abort(404)
    return proposal


def _history_context(proposal: Proposal) -> dict:
    return {
        "h": history_ops.history(proposal),
        "state_label": state_label,
        "trigger_label": trigger_label,
    }


@audit_bp.get("/pacts/<int:proposal_id>")
@permission_required("audit.read")
def pact_history(proposal_id: int):
    """A pact's complete history on one page."""
    proposal = _proposal(proposal_id)
    return render_template("audit/history.html", **_history_context(proposal))


@audit_bp.get("/pacts/<int:proposal_id>/history.pdf")
@permission_required("audit.read")
def pact_history_pdf(proposal_id: int):
    """The same history as a PDF report, with the events' hashes and the chain head."""
    proposal = _proposal(proposal_id)
    html = render_template("audit/history_pdf.html", now=utcnow(), **_history_context(proposal))
    pdf = render_bounded(history_ops.render_history_pdf, html)
    name = (proposal.protocol_number or str(proposal.id)).replace("/", "-")
    g.no_store = True
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="pact-history-{name}.pdf"'},
    )
