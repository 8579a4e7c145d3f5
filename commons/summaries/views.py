"""The office edits the public summary from the case page (proposals/_public_summary.html)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from commons.auth.permissions import can, ensure
from commons.errors import Conflict
from commons.extensions import db
from commons.forms import FormTransaction
from commons.proposals.models import Proposal
from commons.summaries import operations
from commons.summaries.forms import SummaryForm
from commons.summaries.models import ORIGINAL

summaries_bp = Blueprint("summaries", __name__, url_prefix="/proposals")


def _code(language: str) -> str:
    """The language of the URL ("original" or a code) as stored; 404 when not offered."""
    if language == "original":
        return ORIGINAL
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    return language


@summaries_bp.post("/<int:proposal_id>/summary/<language>")
@login_required
def edit(proposal_id: int, language: str):
    """Save the office's text of the public summary, or of one of its translations."""
    from commons.proposals.views import render_case

    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    ensure("proposal.summary_edit", proposal)
    code = _code(language)
    form = SummaryForm()
    status, conflict = 422, False
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.edit_summary(
                proposal,
                actor=current_user._get_current_object(),
                language=code,
                base_version=form.version(),
                texts=form.texts(),
            )
        if saved:
            flash(
                _("The public summary is saved. It is published when the proposal is admitted."),
                "success",
            )
            return redirect(url_for("proposals.case", proposal_id=proposal.id) + "#public-summary")
        status, conflict = saved.error.status_code, isinstance(saved.error, Conflict)
    # The case page shows this form again with what was typed and why it was refused.
    g.summary_form = (code, form, conflict)
    return render_case(proposal, status=status)


def panel(proposal: Proposal) -> dict | None:
    """What the case page's block shows: for proponents and staff only; the forms for an
    officer before admission (the one just refused keeps what was typed)."""
    if not can(current_user, "proposal.view_private", proposal):
        return None
    rows = operations.summaries_of(proposal)
    original = rows.get(ORIGINAL)
    prepared = operations.prepared_from_application(proposal) if original is None else None
    texts = original.texts if original is not None else prepared
    failed = g.get("summary_form")
    forms = []
    if can(current_user, "proposal.summary_edit", proposal):
        for code in (ORIGINAL, *current_app.config["LANGUAGES"]):
            row = rows.get(code)
            if failed and failed[0] == code:
                form, conflict = failed[1], failed[2]
                if conflict and row is not None:
                    form.base_version.data = row.version  # the next save is made knowingly
            else:
                form, conflict = None, False
                data = row.texts if row is not None else (prepared if code == ORIGINAL else {})
                form = SummaryForm(
                    formdata=None, data={**data, "base_version": row.version if row else 0}
                )
            forms.append(
                {
                    "code": code,
                    "slug": code or "original",
                    "name": current_app.config["LANGUAGES"].get(code) if code else None,
                    "form": form,
                    "saved": row,
                    "conflict": conflict,
                    "open": code == ORIGINAL
                    or row is not None
                    or bool(failed and failed[0] == code),
                }
            )
    return {
        "texts": texts,
        "prepared": original is None,
        "published_at": original.published_at if original is not None else None,
        "translations": sorted(code for code in rows if code != ORIGINAL),
        "forms": forms,
        "labels": operations.labels(),
        "required": operations.REQUIRED,
        "warnings": operations.personal_data_warnings(proposal, texts)
        if original is None or original.published_at is None
        else {},
        "languages": current_app.config["LANGUAGES"],
    }
