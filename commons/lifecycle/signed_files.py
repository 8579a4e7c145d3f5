"""A signature made with the party's own tool: the signed file as data of the ``sign`` trigger.

The file (PAdES signed PDF or CAdES ``.p7m``) travels with ``workflows.fire(proposal, "sign",
actor, signed_file=<bytes>, ...)`` beside the typed name, the consent and the password, so the
order of signers, the fresh login and the guard against two signatures at once hold as for a
typed signature. The guard ``signed_file_verified`` checks it against the final PDF the
registry issued (``commons.documents.qualified``) and keeps the verdict on the firing's
context; ``record_signature`` then records the level, the certificate and the stored file.
The bytes never reach the audit event: it records the file's SHA-256.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from commons.documents import storage
from commons.documents.models import Document
from commons.documents.qualified import (
    SignatureRefused,
    load_trust_roots,
    same_fiscal_number,
    verify_signed_file,
)
from workflows.guards import Context, register_guard, register_optional
from workflows.i18n import _

SIGNED_FILE = "signed_file"


def _signed_file(value):
    if isinstance(value, bytes | bytearray):
        if len(value) > int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024:
            raise ValueError(_("at most %(mb)d MB", mb=int(current_app.config["MAX_UPLOAD_MB"])))
        return bytes(value)
    raise ValueError(_("a signed PDF or .p7m file"))


register_optional(SIGNED_FILE, _signed_file, recorded=False)


def final_document(proposal, session) -> Document | None:
    """The final PDF issued at approval: the document every party signs."""
    return session.scalar(
        select(Document)
        .where(Document.proposal_id == proposal.id, Document.kind == "final")
        .order_by(Document.id.desc())
        .limit(1)
    )


@register_guard(judges_input=True)
def signed_file_verified(ctx: Context) -> str | None:
    """An uploaded signed file is a sound signature of the issued final PDF by this party.

    Without a file (a typed signature) the rule holds. A certificate whose fiscal number
    differs from the one on the signer's account is refused: the file was signed by someone
    else (docs/legal.md).
    """
    data = ctx.values.get(SIGNED_FILE)
    if data is None:
        return None
    final = final_document(ctx.proposal, ctx.session)
    if final is None:
        return _("There is no final document to sign yet.")
    path = storage.path_for(current_app.config["STORAGE_DIR"], final.sha256)
    if not path.exists():
        return _("The final document is missing from the storage: tell the office.")
    try:
        verdict = verify_signed_file(
            data,
            path.read_bytes(),
            load_trust_roots(current_app.config.get("TRUST_ROOTS")),
            now=ctx.now,
        )
    except SignatureRefused as refused:
        return refused.message
    if not same_fiscal_number(getattr(ctx.actor, "tax_code", None), verdict.fiscal_number):
        return _(
            "The certificate that signed this file belongs to %(name)s (fiscal number "
            "%(code)s), not to the holder of this account: each party signs with their own "
            "certificate.",
            name=verdict.common_name,
            code=verdict.fiscal_number,
        )
    if ctx.session.scalar(select(Document.id).where(Document.sha256 == verdict.sha256)):
        return _("This signed file is already on the record.")
    ctx.signed_file_verdict = verdict
    return None


def store_signed_file(ctx: Context, final: Document) -> Document | None:
    """Keep the verified upload, content-addressed, as a document of the pact."""
    verdict = getattr(ctx, "signed_file_verdict", None)
    if verdict is None:
        return None
    data = ctx.values[SIGNED_FILE]
    suffix = ".pdf" if verdict.format == "pades" else ".p7m"
    sha256, _path = storage.store(current_app.config["STORAGE_DIR"], data, suffix)
    document = Document(
        proposal_id=ctx.proposal.id,
        version_id=final.version_id,
        kind="signed_upload",
        sha256=sha256,
        size=len(data),
        language=final.language,
        created_at=ctx.now,
    )
    ctx.session.add(document)
    return document
