"""Serving uploaded files to those allowed, and removing a draft's files."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from commons.auth.permissions import ensure
from commons.extensions import db
from commons.transactions import transaction
from commons.uploads import operations
from commons.uploads.models import Attachment

uploads_bp = Blueprint("uploads", __name__, url_prefix="/attachments")


def _load(attachment_id: int) -> Attachment:
    return db.session.get(Attachment, attachment_id) or abort(404)


@uploads_bp.get("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    """The file, to its owner and those who see the proposal's private parts."""
    attachment = _load(attachment_id)
    ensure("attachment.view", attachment)
    return serve(attachment)


def serve(attachment: Attachment, *, public: bool = False):
    """The stored file as a response: photos open in the browser, PDFs download (so no viewer
    runs them in our origin), never sniffed as something else, sandboxed. ``public``: a file
    anyone may read (a call's information sheet), which shared caches may keep."""
    path = operations.path_of(attachment)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        download_name=attachment.original_name,
        etag=attachment.sha256,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


@uploads_bp.post("/<int:attachment_id>/delete")
@login_required
def delete(attachment_id: int):
    """Remove a file from a draft; back to the page that listed it."""
    attachment = _load(attachment_id)
    ensure("attachment.delete", attachment)
    name = attachment.original_name
    with transaction():
        operations.delete_attachment(attachment)
    flash(_("Removed: %(name)s.", name=name), "success")
    target = request.form.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("proposals.mine")
    return redirect(target)
