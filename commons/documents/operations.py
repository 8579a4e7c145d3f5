"""Pact versions: every save in co-design is a new, immutable version."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import workflows
from commons import limits
from commons.audit.operations import append_event
from commons.documents import clauses, rendering, storage, terms
from commons.documents.bounded import render_bounded
from commons.documents.models import Document, PactVersion, Signature
from commons.errors import Conflict, DomainError
from commons.extensions import db
from commons.lifecycle.states import profile_named
from workflows.guards import content_hash


def document_language() -> str:
    """Pacts are written in the city's language (English when none is set)."""
    return current_app.config.get("CITY_LANGUAGE") or "en"


def default_content(proposal) -> dict:
    """A first draft of the pact from the proposal's data, in the city's language."""
    return clauses.default_content(
        proposal, clauses.settings_from_config(current_app.config), document_language()
    )


class TermsRefused(DomainError):
    """The terms of a version are not acceptable; ``problems`` says why, by field."""

    def __init__(self, found: dict[str, str]):
        key, message = next(iter(found.items()))
        super().__init__(message, field=f"terms_{key}")
        self.problems = found


def with_terms_written(proposal, content: dict) -> dict:
    """Check the version's terms and write its generated articles from them.

    Content without terms (a text saved before terms existed) is kept as it is.
    """
    if not content.get("terms"):
        return content
    try:
        read = terms.Terms.from_dict(content["terms"])
    except (AttributeError, TypeError, ValueError, ArithmeticError):
        raise TermsRefused({"terms": _("The terms could not be read.")}) from None
    found = terms.check(read, proposal)
    if found:
        raise TermsRefused(found)
    return clauses.apply_terms(
        content, proposal, clauses.settings_from_config(current_app.config), document_language()
    )


def plain_content(content: dict) -> dict:
    """Keep only plain text in titles and articles, so what is hashed is what is printed.

    Line ends become "\n" (browsers send a textarea's as "\r\n"), so a text compares
    equal to the version it was typed over when nothing was changed.
    """
    sections = []
    for section in content.get("sections", []):
        sections.append(
            {
                **section,
                "title": rendering.plain_text(section.get("title", "")),
                "articles": [
                    {
                        **a,
                        "title": rendering.plain_text(a.get("title", "")),
                        "text": rendering.plain_text(a.get("text", "")),
                    }
                    for a in section.get("articles", [])
                ],
            }
        )
    return {**content, "sections": sections}


class VersionConflict(Conflict):
    """Someone saved a newer version of the pact text since the edit started.

    ``base_version`` is the version the edit started from (0: none), ``latest_version`` the
    number of the newest version, which the edit would silently undo if it were saved.
    """

    def __init__(self, base_version: int, latest_version: int):
        super().__init__(
            _(
                "Someone saved version %(latest)d of the pact text while you were editing "
                "version %(base)d, so your text was not saved. Compare the changes below, "
                "choose for each clause, and save again.",
                latest=latest_version,
                base=base_version,
            )
        )
        self.base_version = base_version
        self.latest_version = latest_version


def _locked_status(proposal) -> str:
    """Serialise saves of one pact text on the proposal's row (PostgreSQL; SQLite has one
    writer): a second save from the same base waits, then sees the first one's version.
    Returns the proposal's state as it is once the lock is held."""
    model = type(proposal)
    return db.session.scalar(select(model.status).where(model.id == proposal.id).with_for_update())


def save_version(
    proposal,
    *,
    author,
    content: dict | None = None,
    comment: str = "",
    now: datetime | None = None,
    base_version: int | None = None,
) -> PactVersion:
    """Save the pact text as a new version (co-design only); the previous ones stay as they were.

    ``base_version`` is the number of the version the edit started from (0 when there was
    none): if a newer one was saved since, the save is refused with ``VersionConflict``, so
    nobody undoes someone else's version without seeing it. The editor and the API always
    pass it; ``None`` (no check) is for internal callers that write the text themselves.
    ``now`` is for recording past history (the demo city); it defaults to the current time.
    """
    if _locked_status(proposal) not in profile_named(proposal.profile).tagged("co_design"):
        raise DomainError(_("The pact text can be changed only during co-design."))
    latest = PactVersion.latest_for(proposal)
    latest_number = latest.number if latest is not None else 0
    if base_version is not None:
        if base_version < 0 or base_version > latest_number:
            raise DomainError(
                _("There is no version %(n)d of the pact text to start from.", n=base_version),
                field="base_version",
            )
        if base_version < latest_number:
            raise VersionConflict(base_version, latest_number)
    content = plain_content(content) if content is not None else default_content(proposal)
    if "terms" not in content:
        # A text sent without terms (the API) keeps the latest version's, else the application's.
        kept = terms.terms_of(latest) if latest is not None else terms.from_application(proposal)
        content = {**content, "terms": kept.to_dict()}
    content = with_terms_written(proposal, content)
    limits.check_pact_text(content)
    if latest is not None and latest.content_hash == content_hash(content):
        raise DomainError(_("Nothing changed since version %(n)d.", n=latest.number))
    number = latest_number + 1
    version = PactVersion(
        proposal_id=proposal.id,
        number=number,
        content=content,
        content_hash=content_hash(content),
        comment=comment.strip(),
        author_id=author.id,
    )
    if now is not None:
        version.created_at = now
    try:
        with db.session.begin_nested():
            db.session.add(version)
    except IntegrityError:
        # The same number was taken by a save that did not wait on the row lock.
        newest = PactVersion.latest_for(proposal)
        raise VersionConflict(
            latest_number if base_version is None else base_version,
            newest.number if newest is not None else number,
        ) from None
    append_event(
        "pact_version_saved",
        actor=author,
        proposal=proposal,
        payload={"version": number, "hash": version.content_hash, "comment": comment},
        occurred_at=now,
    )
    return version


# Files of the application that the pact lists as its annexes, in this order, then the minutes
# of the co-design meetings. The representative's identity document stays on the record but
# is not an annex: the signed pact is public, and personal data beyond the representative's
# name are not (DOMAIN.md, "The public register"). Report photos come after approval.
ANNEX_PURPOSES = ("statute", "plan", "photo", "integration")


def pact_annexes(proposal) -> list[dict]:
    """The files on the proposal's record that the pact lists as annexes, with their hashes.

    The application's files (statute, plans, photos, files sent with an integration), then
    the minutes of each co-design meeting, by the meeting's date: its file, or, for minutes
    typed into the register, the minutes named without a file. None of these can be
    added or removed once the text is frozen, so a document rendered again lists the same.
    """
    from commons.uploads.models import Attachment

    rows = db.session.scalars(
        select(Attachment)
        .where(
            Attachment.proposal_id == proposal.id,
            Attachment.purpose.in_(ANNEX_PURPOSES),
        )
        .order_by(Attachment.id)
    ).all()
    order = {purpose: i for i, purpose in enumerate(ANNEX_PURPOSES)}
    annexes = [
        {"kind": a.purpose, "name": a.original_name, "sha256": a.sha256, "date": None}
        for a in sorted(rows, key=lambda a: (order[a.purpose], a.id))
    ]
    files: dict[int, list] = {}
    for a in proposal.minutes_files:
        files.setdefault(a.linked_id, []).append(a)
    for meeting in sorted(proposal.meetings, key=lambda m: (m.held_on, m.id)):
        for a in files.get(meeting.id, []):
            annexes.append(
                {
                    "kind": "minutes",
                    "name": a.original_name,
                    "sha256": a.sha256,
                    "date": meeting.held_on,
                }
            )
        if not files.get(meeting.id) and (meeting.minutes or "").strip():
            # Minutes typed into the register, with no file: listed, kept on the record.
            annexes.append(
                {"kind": "minutes_text", "name": "", "sha256": "", "date": meeting.held_on}
            )
    return annexes


def pact_meta(
    proposal, version: PactVersion, *, issued_at: datetime, signatures: list[dict] | None = None
) -> dict:
    """Everything around the pact text that the document prints, from the data and settings."""
    config = current_app.config
    return {
        "city": {
            "name": config["CITY_NAME"],
            "office": config["CITY_OFFICE"],
            "signatory": config.get("CITY_SIGNATORY") or "",
            "signatory_title": config.get("CITY_SIGNATORY_TITLE") or "",
            "logo_path": config.get("CITY_LOGO") or None,
            "timezone": config["CITY_TIMEZONE"],
        },
        "pact": {
            "title": proposal.title,
            "protocol_number": proposal.protocol_number or "",
            "pact_type": proposal.pact_type,
            "version": version.number,
            "profile": workflows.get_profile(proposal.profile).title,
        },
        "proponent": {
            "name": proposal.group.name,
            "representative": proposal.representative.full_name,
        },
        # The pact's verification page (documents.pact_verify): what the holder of a copy
        # wants to know. Always PUBLIC_URL, never a request's host: the same input must give
        # the same bytes wherever the document is rendered (a request, `commons pacts render`).
        "verification_url": f"{config['PUBLIC_URL'].rstrip('/')}/pacts/{proposal.id}/verify",
        "approved_at": issued_at,
        "acts": {
            "decision_number": proposal.decision_number or "",
            "decision_date": proposal.decision_date,
            "deliberation_number": proposal.deliberation_number or "",
            "deliberation_date": proposal.deliberation_date,
        },
        "content_sha256": version.content_hash,
        "annexes": pact_annexes(proposal),
        "signatures": signatures or [],
    }


def seal_if_configured(pdf: bytes, signed_at: datetime) -> bytes:
    """The city's electronic seal (PAdES) on a signed pact, when COMMONS_SIGNING_P12 is set.

    Made at the signing time, so the same input gives the same bytes.
    """
    p12 = current_app.config.get("SIGNING_P12")
    if not p12:
        return pdf
    from commons.documents import seal

    return seal.apply_seal(
        pdf,
        p12,
        current_app.config.get("SIGNING_P12_PASSWORD") or "",
        signed_at=signed_at,
        reason="Collaboration pact signed by the parties",
        location=current_app.config["CITY_NAME"],
    )


def issue_document(
    proposal,
    version: PactVersion,
    kind: str,
    *,
    issued_at: datetime,
    signatures: list[dict] | None = None,
) -> Document:
    """Render the version as a PDF of this kind, store it by hash and record it.

    Issued once: a version's document of this kind is returned as it is, never re-rendered.
    """
    issued = db.session.scalar(
        select(Document).where(Document.version_id == version.id, Document.kind == kind)
    )
    if issued is not None:
        return issued
    meta = pact_meta(proposal, version, issued_at=issued_at, signatures=signatures)
    language = document_language()
    pdf = render_bounded(
        rendering.render_pact_pdf,
        version.content,
        meta,
        language,
        kind="draft" if kind == "draft" else "final",
    )
    if kind == "signed":
        pdf = seal_if_configured(pdf, issued_at)
    sha256, _path = storage.store(current_app.config["STORAGE_DIR"], pdf)
    existing = db.session.scalar(select(Document).where(Document.sha256 == sha256))
    if existing is not None:
        return existing
    document = Document(
        proposal_id=proposal.id,
        version_id=version.id,
        kind=kind,
        sha256=sha256,
        size=len(pdf),
        language=language,
        created_at=issued_at,
    )
    db.session.add(document)
    db.session.flush()
    return document


def signature_rows(proposal) -> list[dict]:
    """The signatures for the signature page: names, capacities, times, hashes (in order)."""
    rows = db.session.scalars(
        select(Signature)
        .where(Signature.proposal_id == proposal.id)
        .order_by(Signature.signed_at, Signature.id)
    ).all()
    return [
        {
            "name": s.typed_name,
            "role": s.signer_role,
            "signed_at": s.signed_at,
            "document_hash": s.document_hash,
            "identity_provider": s.identity_provider,
            "assurance_level": s.assurance_level,
            "level": s.level or "simple",
            "signed_file_sha256": s.signed_file_sha256,
        }
        for s in rows
    ]


def pact_level(proposal) -> str | None:
    """The pact's signature level: its weakest signature's, once every party has signed."""
    from commons.documents.qualified import weakest

    rows = signature_rows(proposal)
    signers = workflows.get_profile(proposal.profile).signers
    if not rows or {r["role"] for r in rows} < set(signers):
        return None
    return weakest(r["level"] for r in rows)


def latest_document(proposal, kind: str = "final") -> Document | None:
    """The proposal's most recent issued document of this kind, if any."""
    return db.session.scalar(
        select(Document)
        .where(Document.proposal_id == proposal.id, Document.kind == kind)
        .order_by(Document.id.desc())
        .limit(1)
    )


def find_document(sha256: str) -> Document | None:
    """The issued document with this hash, or None: the registry never issued it."""
    sha256 = (sha256 or "").strip().lower()
    if not storage.SHA256.match(sha256):
        return None
    return db.session.scalar(select(Document).where(Document.sha256 == sha256))


def add_comment(proposal, version, *, author, text: str):
    """A proponent comments on one version of the pact text during co-design."""
    from commons.documents.models import PactComment

    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write your comment."), field="text")
    if len(text) > limits.PARAGRAPH:
        raise limits.TextTooLong(limits.too_long(limits.PARAGRAPH, len(text)), field="text")
    if version.proposal_id != proposal.id:
        raise DomainError(_("This version belongs to another proposal."))
    comment = PactComment(
        proposal_id=proposal.id, version_id=version.id, author_id=author.id, text=text
    )
    db.session.add(comment)
    db.session.flush()
    append_event(
        "pact_commented",
        actor=author,
        actor_role="citizen",
        proposal=proposal,
        payload={"pact_version": version.number, "comment_id": comment.id},
        public=False,
    )
    return comment


def comments_by_version(proposal) -> dict[int, list]:
    """Every comment on the proposal's pact versions, by version id, oldest first (one query)."""
    from sqlalchemy.orm import joinedload

    from commons.documents.models import PactComment

    rows = db.session.scalars(
        select(PactComment)
        .options(joinedload(PactComment.author))
        .where(PactComment.proposal_id == proposal.id)
        .order_by(PactComment.created_at, PactComment.id)
    ).all()
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.version_id, []).append(row)
    return grouped
