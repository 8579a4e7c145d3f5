"""Serving issued pact PDFs, and the public verification page."""

from __future__ import annotations

import hashlib

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

import workflows
from commons.auth.permissions import can
from commons.documents import storage
from commons.documents.forms import VerifyForm
from commons.documents.models import Document
from commons.documents.operations import find_document, signature_rows
from commons.extensions import db
from commons.proposals.labels import state_label

documents_bp = Blueprint("documents", __name__)


def may_read(user, document: Document) -> bool:
    """Signed pacts are public acts; the final and draft documents stay with those involved."""
    if document.kind == "signed":
        return True
    return can(user, "proposal.view_private", document.proposal)


@documents_bp.get("/documents/<sha256>.pdf")
def download(sha256: str):
    """Stream a stored PDF; never re-render. The ETag is its hash."""
    document = find_document(sha256) or abort(404)
    if not may_read(current_user, document):
        abort(403)
    path = storage.path_for(current_app.config["STORAGE_DIR"], document.sha256)
    if not path.exists():
        abort(404)
    name = (document.proposal.protocol_number or f"proposal-{document.proposal_id}").replace(
        "/", "-"
    )
    response = send_file(
        path,
        mimetype="application/pdf",
        etag=document.sha256,
        conditional=True,
        download_name=f"pact-{name}-{document.kind}.pdf",
        max_age=3600,
    )
    response.headers["Cache-Control"] = (
        "private, max-age=3600" if document.kind != "signed" else "public, max-age=86400, immutable"
    )
    return response


@documents_bp.route("/verify", methods=["GET", "POST"])
def verify():
    """Anyone checks a pact PDF (upload) or a fingerprint against what the registry issued."""
    form = VerifyForm()
    sha256 = None
    if request.method == "GET" and request.args.get("sha256"):
        form.sha256.data = request.args["sha256"].strip().lower()
        sha256 = form.sha256.data if storage.SHA256.match(form.sha256.data) else None
    elif form.validate_on_submit():
        upload = form.document.data
        if upload and upload.filename:
            sha256 = hashlib.sha256(upload.read()).hexdigest()
        elif form.sha256.data:
            sha256 = form.sha256.data
        else:
            form.form_errors.append(_("Choose a PDF file or paste a fingerprint."))
    result = None
    if sha256:
        document = find_document(sha256)
        result = {"sha256": sha256, "document": document}
        if document is None:
            # The QR code carries the pact text's hash: say which pact that text belongs to.
            from commons.documents.models import PactVersion

            version = db.session.query(PactVersion).filter_by(content_hash=sha256).first()
            result["version"] = version
        else:
            proposal = document.proposal
            result.update(
                proposal=proposal,
                state=state_label(proposal.status),
                signatures=signature_rows(proposal) if document.kind == "signed" else [],
                in_force=proposal.status in workflows.get_profile(proposal.profile).in_force,
            )
    status = 422 if form.errors or form.form_errors else 200
    return render_template("documents/verify.html", form=form, result=result), status
