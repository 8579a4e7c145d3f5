"""The API's issued pact documents: metadata and the stored PDFs."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from commons.api import schemas as s
from commons.api.views.base import _load_proposal, api_bp, ensure, user
from commons.auth.permissions import can
from commons.documents import storage
from commons.documents.models import Document
from commons.documents.operations import find_document
from commons.documents.sending import send_document
from commons.errors import NotFound
from commons.extensions import db


def _document_out(document: Document) -> dict:
    return {
        "sha256": document.sha256,
        "kind": document.kind,
        "size": document.size,
        "language": document.language,
        "created_at": document.created_at,
        "proposal_id": document.proposal_id,
        "version_number": document.version.number,
        "download_url": url_for("api.documents_download", sha256=document.sha256),
    }


@api_bp.get("/proposals/<int:proposal_id>/documents", tags=["Documents"])
@api_bp.response(200, s.DocumentOut(many=True))
def documents_list(proposal_id: int):
    """The pact PDFs issued for a proposal that you may read (signed pacts are public)."""
    proposal = _load_proposal(proposal_id)
    rows = db.session.scalars(
        select(Document)
        .where(Document.proposal_id == proposal.id)
        .options(selectinload(Document.version))
        .order_by(Document.id)
    )
    return [_document_out(d) for d in rows if can(user(), "document.read", d)]


def _load_document(sha256: str) -> Document:
    document = find_document(sha256.lower()) if storage.SHA256.match(sha256.lower()) else None
    if document is None:
        raise NotFound(_("The registry issued no document with this fingerprint."))
    ensure("document.read", document)
    return document


@api_bp.get("/documents/<sha256>", tags=["Documents"])
@api_bp.response(200, s.DocumentOut)
def documents_get(sha256: str):
    """A document's metadata, by its SHA-256 fingerprint."""
    return _document_out(_load_document(sha256))


@api_bp.get("/documents/<sha256>/pdf", tags=["Documents"])
@api_bp.response(
    200,
    {"type": "string", "contentMediaType": "application/pdf"},
    content_type="application/pdf",
    description="The stored PDF, byte for byte as issued.",
)
def documents_download(sha256: str):
    """The PDF as stored when issued (never re-rendered)."""
    return send_document(user(), _load_document(sha256), for_browser=False)
