"""One way to send an issued document, for the web pages and the API alike.

The stored file is streamed byte for byte as issued (never re-rendered), with its SHA-256 as
the ETag so a client holding it gets 304.
"""

from __future__ import annotations

from flask import current_app, send_file
from flask_babel import gettext as _

from commons.auth.permissions import can
from commons.documents import storage
from commons.documents.models import Document
from commons.errors import NotFound, PermissionDenied

# How long a browser keeps a document: a signed pact never changes and is public; the final
# and draft documents are private to those involved.
SIGNED_CACHE = "public, max-age=86400, immutable"
PRIVATE_CACHE = "private, max-age=3600"


def pact_file_name(document: Document, suffix: str = ".pdf") -> str:
    """The name a person saves the file under: ``pact-<protocol number>-<kind>.pdf``."""
    proposal = document.proposal
    name = (proposal.protocol_number or f"proposal-{document.proposal_id}").replace("/", "-")
    return f"pact-{name}-{document.kind.replace('_', '-')}{suffix}"


def stored_path(document: Document):
    """Where the document's file is kept; None when it is missing. A party's signed upload
    is a PDF (PAdES) or a CAdES envelope, kept as ``.p7m``."""
    root = current_app.config["STORAGE_DIR"]
    suffixes = (".pdf", ".p7m") if document.kind == "signed_upload" else (".pdf",)
    for suffix in suffixes:
        path = storage.path_for(root, document.sha256, suffix)
        if path.exists():
            return path
    return None


def send_document(user, document: Document, *, for_browser: bool = True):
    """The response streaming ``document``'s stored PDF to ``user``.

    Raises PermissionDenied unless ``can(user, "document.read", document)``, NotFound when the
    file is missing from the storage. For a browser the file is named after the pact and kept
    in the cache (a day for a signed pact, publicly; an hour privately otherwise); for the
    API's clients it is named by its fingerprint and revalidated each time (``no-cache``).
    """
    if not can(user, "document.read", document):
        raise PermissionDenied(_("Your roles do not allow this."))
    path = stored_path(document)
    if path is None:
        raise NotFound(_("The file of this document is missing from the storage."))
    suffix = path.suffix
    response = send_file(
        path,
        mimetype="application/pkcs7-mime" if suffix == ".p7m" else "application/pdf",
        etag=document.sha256,
        conditional=True,
        download_name=(
            pact_file_name(document, suffix) if for_browser else f"{document.sha256}{suffix}"
        ),
        max_age=3600 if for_browser else None,
    )
    if for_browser:
        response.headers["Cache-Control"] = (
            SIGNED_CACHE if document.kind == "signed" else PRIVATE_CACHE
        )
    # A PDF is never to be read as anything else (the app's after_request sets it too).
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
