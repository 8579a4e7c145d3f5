"""The officer's page to correct what an import recorded of a proposal."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from commons.auth.permissions import permission_required
from commons.extensions import db
from commons.forms import FormTransaction, render_form
from commons.groups.operations import kind_labels
from commons.imports.forms import CorrectionForm
from commons.imports.models import ImportedPact
from commons.imports.operations import correct_imported, is_correctable
from commons.lifecycle.states import profile_named
from commons.proposals.labels import state_label
from commons.proposals.models import Proposal

imports_bp = Blueprint("imports", __name__, url_prefix="/office/imported")


def _load(proposal_id: int) -> Proposal:
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or ImportedPact.of(proposal) is None:
        abort(404)
    return proposal


@imports_bp.route("/<int:proposal_id>/correct", methods=["GET", "POST"])
@permission_required("import.correct")
def correct(proposal_id: int):
    proposal = _load(proposal_id)
    profile = profile_named(proposal.profile)
    form = CorrectionForm()
    form.status.choices = [(s, state_label(s)) for s in profile.states]
    form.proponent_kind.choices = list(kind_labels().items())
    if request.method == "GET":
        form.start_from(proposal)
        form.status.data = proposal.status
        form.commons.data = proposal.commons[0].name if proposal.commons else ""
        form.proponent.data = proposal.representative.full_name
        form.proponent_kind.data = proposal.group.kind
        form.start_date.data, form.end_date.data = proposal.start_date, proposal.end_date
        form.act_number.data = proposal.decision_number or ""
        form.act_date.data = proposal.decision_date
    correctable = is_correctable(proposal)
    if correctable and form.validate_on_submit():
        with FormTransaction(form) as saved:
            correct_imported(
                proposal,
                actor=current_user,
                base_version=form.version(),
                reason=form.reason.data,
                profile=profile,
                status=form.status.data,
                commons_text=form.commons.data,
                proponent=form.proponent.data,
                proponent_kind=form.proponent_kind.data,
                start_date=form.start_date.data,
                end_date=form.end_date.data,
                act_number=form.act_number.data,
                act_date=form.act_date.data,
            )
        if saved:
            flash(_("Correction saved and recorded in the history."), "success")
            return redirect(url_for("imports.correct", proposal_id=proposal.id))
    return render_form(
        "imports/correct.html", form=form, proposal=proposal, correctable=correctable
    )
