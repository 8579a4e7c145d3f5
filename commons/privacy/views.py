"""Privacy pages: the public notice, the person's data and erasure, the administrator's side."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from commons.auth.permissions import permission_required
from commons.config import LANGUAGES
from commons.errors import DomainError
from commons.extensions import db, limiter
from commons.forms import FormTransaction, form_status
from commons.privacy import download, erasure, operations
from commons.privacy.forms import (
    DownloadForm,
    ErasureDecisionForm,
    ErasureRequestForm,
    NoticeForm,
)
from commons.privacy.models import ErasureRequest, ErasureStatus
from commons.transactions import transaction

privacy_bp = Blueprint("privacy", __name__)


def _language() -> str:
    return str(get_locale() or "en")


@privacy_bp.route("/privacy")
def notice():
    """The privacy notice in force (or an older version: ?version=N), and its versions."""
    version = request.args.get("version", type=int)
    try:
        shown = operations.notice(_language(), version)
    except DomainError:
        abort(404)
    return render_template(
        "privacy/notice.html",
        notice=shown,
        versions=operations.versions(),
        current=operations.current_version(),
    )


@privacy_bp.route("/account/privacy")
@permission_required("account.manage")
def mine():
    """The person's page: the notice they acknowledged, the download, the erasure request."""
    return _mine_page(ErasureRequestForm())


def _mine_page(form, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "privacy/mine.html",
        acknowledgements=operations.acknowledgements(user),
        current=operations.current_version(),
        download_form=DownloadForm(),
        erasure_form=form,
        pending=operations.pending_request(user),
    ), max(status, form_status(form))


@privacy_bp.post("/account/privacy/download")
@permission_required("account.manage")
@limiter.limit("5 per hour")
def download_data():
    """The person's data as a ZIP (data.json and their files); limited to 5 an hour."""
    if not DownloadForm().validate_on_submit():
        abort(400)
    with transaction():
        content = download.build_zip(current_user._get_current_object())
    return Response(
        content,
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="my-data.zip"'},
    )


@privacy_bp.post("/account/privacy/erasure")
@permission_required("account.manage")
@limiter.limit("10 per hour")
def request_erasure():
    """Ask to be erased, confirmed with the password; an administrator carries it out."""
    form = ErasureRequestForm()
    if form.validate_on_submit():
        with FormTransaction(form) as saved:
            operations.request_erasure(
                current_user._get_current_object(), password=form.password.data
            )
        if saved:
            flash(
                _(
                    "Your request is recorded. An administrator of the city handles it; when it "
                    "is carried out, your account is closed."
                ),
                "success",
            )
            return redirect(url_for("privacy.mine"))
    return _mine_page(form)


# --- the administrator's side ----------------------------------------------------------------


@privacy_bp.route("/admin/privacy", methods=["GET", "POST"])
@permission_required("privacy.manage")
def edit_notice():
    """Edit the notice: publishing makes a new version, dated, in every language."""
    form = NoticeForm()
    if request.method == "GET":
        for code in LANGUAGES:
            getattr(form, f"body_{code}").data = operations.notice(code).body
    if form.validate_on_submit():
        texts = {code: getattr(form, f"body_{code}").data for code in LANGUAGES}
        with FormTransaction(form) as saved:
            number = operations.publish(texts, actor=current_user._get_current_object())
        if saved:
            flash(_("Version %(n)d of the privacy notice is published.", n=number), "success")
            return redirect(url_for("privacy.edit_notice"))
    page = render_template(
        "privacy/edit.html",
        form=form,
        languages=LANGUAGES,
        versions=operations.versions(),
        current=operations.current_version(),
    )
    return page, form_status(form)


@privacy_bp.route("/admin/erasure")
@permission_required("privacy.manage")
def requests():
    """Erasure requests, pending first, with what stops each one now."""
    rows = operations.pending_requests()
    return render_template(
        "privacy/requests.html",
        rows=rows,
        blockers={
            r.id: erasure.blockers(r.user) for r in rows if r.status == ErasureStatus.PENDING
        },
        form=ErasureDecisionForm(),
    )


@privacy_bp.post("/admin/erasure/<int:request_id>")
@permission_required("privacy.manage")
def decide(request_id: int):
    """Carry out (``do=erase``) or refuse (``do=refuse``, with reasons) one request."""
    row = db.session.get(ErasureRequest, request_id) or abort(404)
    form = ErasureDecisionForm()
    if not form.validate_on_submit():
        abort(400)
    actor = current_user._get_current_object()
    with FormTransaction(form) as saved:
        if request.form.get("do") == "refuse":
            erasure.refuse(row, actor=actor, reasons=form.reasons.data)
        else:
            erasure.erase(row, actor=actor)
    if saved:
        flash(_("The request is handled."), "success")
    else:
        for message in form.form_errors or ():
            flash(message, "danger")
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
    return redirect(url_for("privacy.requests"))
