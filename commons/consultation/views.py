"""Public consultation: comment, ask to join, hide a comment, the list under public notice.

The forms are shown on the public pact page (``commons.public.views.render_pact``), which is
shown again with the errors when one is refused.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from commons.auth.permissions import ensure
from commons.consultation import operations as consultation
from commons.consultation.forms import CommentForm, HideForm, JoinForm
from commons.consultation.models import Comment
from commons.extensions import db
from commons.forms import FormTransaction
from commons.lifecycle.states import status_in
from commons.proposals.models import Proposal
from commons.public.views import _load_public, render_pact
from commons.summaries import operations as summaries

consultation_bp = Blueprint("consultation", __name__)


@consultation_bp.post("/pacts/<int:proposal_id>/comments")
@login_required
def comment(proposal_id: int):
    """Comment on a proposal under public notice."""
    proposal = _load_public(proposal_id)
    ensure("consultation.comment", proposal)
    form = CommentForm()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            consultation.add_comment(proposal, author=current_user, body=form.body.data)
        if saved:
            flash(_("Your comment is published."), "success")
            return redirect(url_for("public.pact", proposal_id=proposal.id) + "#comments")
    return render_pact(proposal, comment_form=form, status=422)


@consultation_bp.post("/pacts/<int:proposal_id>/join")
@login_required
def join(proposal_id: int):
    """Ask to join the proposing group."""
    proposal = _load_public(proposal_id)
    ensure("consultation.join", proposal)
    form = JoinForm()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            consultation.request_to_join(proposal, user=current_user, message=form.message.data)
        if not saved:
            return render_pact(proposal, join_form=form, status=saved.error.status_code)
        flash(_("Your request to join has been sent to the group."), "success")
        return redirect(url_for("public.pact", proposal_id=proposal.id) + "#join")
    return render_pact(proposal, join_form=form, status=422)


@consultation_bp.post("/pacts/<int:proposal_id>/comments/<int:comment_id>/hide")
@login_required
def hide_comment(proposal_id: int, comment_id: int):
    """An officer hides a comment, with a reason."""
    proposal = _load_public(proposal_id)
    found = db.session.get(Comment, comment_id)
    if found is None or found.proposal_id != proposal.id:
        abort(404)
    ensure("consultation.moderate", proposal)
    form = HideForm()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            consultation.hide_comment(found, actor=current_user, reason=form.reason.data)
        if not saved:
            return render_pact(
                proposal, hide_form=form, hide_failed=found.id, status=saved.error.status_code
            )
        flash(_("The comment is hidden; the reason is in the history."), "success")
        return redirect(url_for("public.pact", proposal_id=proposal.id) + "#comments")
    return render_pact(proposal, hide_form=form, hide_failed=found.id, status=422)


@consultation_bp.get("/consultation")
def consultation_list():
    """Proposals under public notice, the soonest to close first."""
    proposals = db.session.scalars(
        select(Proposal)
        .where(status_in(lambda p: p.tagged("public_notice")))
        .options(selectinload(Proposal.commons))
        .order_by(Proposal.notice_ends_at, Proposal.id)
    ).all()
    counts = (
        dict(
            db.session.execute(
                select(Comment.proposal_id, func.count())
                .where(
                    Comment.proposal_id.in_([p.id for p in proposals]), Comment.hidden_at.is_(None)
                )
                .group_by(Comment.proposal_id)
            ).all()
        )
        if proposals
        else {}
    )
    return render_template(
        "public/consultation.html",
        proposals=proposals,
        counts=counts,
        summaries=summaries.published_summaries([p.id for p in proposals], str(get_locale())),
    )
