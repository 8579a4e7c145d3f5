"""Serving issued pact PDFs, and the public verification page."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

import workflows
from commons.auth.permissions import can
from commons.documents import storage
from commons.documents.forms import (
    PactFileForm,
    VerifyForm,
    attach_terms_problems,
    merged_form,
    pact_edit_form,
    shown_terms,
    term_labels,
)
from commons.documents.models import PactVersion
from commons.documents.operations import find_document, signature_rows
from commons.extensions import db
from commons.forms import form_status
from commons.proposals.labels import state_label
from commons.transactions import transaction

documents_bp = Blueprint("documents", __name__)


@documents_bp.get("/documents/<sha256>.pdf")
@documents_bp.get("/documents/<sha256>.p7m", endpoint="download_p7m")
def download(sha256: str):
    """Stream a stored PDF; never re-render. The ETag is its hash."""
    from commons.documents.sending import send_document
    from commons.errors import DomainError

    document = find_document(sha256) or abort(404)
    try:
        return send_document(current_user, document)
    except DomainError as refused:  # not the reader's to see (403), or the file is gone (404)
        abort(refused.status_code)


@documents_bp.route("/verify", methods=["GET", "POST"])
def verify():
    """Anyone checks a pact PDF (upload) or a fingerprint against what the registry issued."""
    from commons.documents.seal import verify_seal

    form = VerifyForm()
    sha256 = None
    data = None
    if request.method == "GET" and request.args.get("sha256"):
        form.sha256.data = request.args["sha256"].strip().lower()
        sha256 = form.sha256.data if storage.SHA256.match(form.sha256.data) else None
    elif form.validate_on_submit():
        upload = form.document.data
        if upload and upload.filename:
            data = upload.read()
            sha256 = hashlib.sha256(data).hexdigest()
        elif form.sha256.data:
            sha256 = form.sha256.data
        else:
            form.form_errors.append(_("Choose a PDF file or paste a fingerprint."))
    result = None
    if sha256:
        document = find_document(sha256)
        result = {"sha256": sha256, "document": document}
        if document is None:
            # Documents issued before the QR code led to /pacts/<id>/verify carry the pact
            # text's hash: open that pact's verification page, which answers their holder.
            version = db.session.query(PactVersion).filter_by(content_hash=sha256).first()
            if version is not None and request.method == "GET":
                return redirect(url_for("documents.pact_verify", proposal_id=version.proposal_id))
            result["version"] = version
        else:
            proposal = document.proposal
            result.update(
                proposal=proposal,
                state=state_label(proposal.status),
                signatures=signature_rows(proposal) if document.kind == "signed" else [],
                in_force=proposal.status in workflows.get_profile(proposal.profile).in_force,
            )
            if data is None and document.kind == "signed":
                path = storage.path_for(current_app.config["STORAGE_DIR"], document.sha256)
                data = path.read_bytes() if path.exists() else None
        # The electronic seal, checked on the file itself: an upload, or the registry's copy.
        result["seal"] = verify_seal(data) if data else None
    status = form_status(form)
    return render_template("documents/verify.html", form=form, result=result), status


@documents_bp.route("/pacts/<int:proposal_id>/verify", methods=["GET", "POST"])
def pact_verify(proposal_id: int):
    """The page the pact's QR code opens: this pact, its parties, who signed and when, its term
    and state today, the signed PDF; and a check that the file someone holds is the one issued."""
    from commons.auth.permissions import ensure
    from commons.documents.queries import file_check, pact_record
    from commons.payloads import readable_moment
    from commons.proposals.models import Proposal

    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    if not proposal.is_public:
        abort(404)  # drafts are the proponent's own; the public does not know they exist
    ensure("proposal.view", proposal)
    form = PactFileForm()
    check = None
    if form.validate_on_submit():
        check = file_check(proposal, form.document.data.read())
    status = 422 if form.errors else 200
    return render_template(
        "documents/pact_verify.html",
        record=pact_record(proposal),
        form=form,
        check=check,
        state=state_label(proposal.status),
        readable_moment=readable_moment,
    ), status


# --- the pact text in co-design: versions, editor, comparison ------------------------------


def _proposal_for(proposal_id: int, action: str = "proposal.view_private"):
    from commons.auth.permissions import ensure
    from commons.proposals.models import Proposal

    proposal = db.session.get(Proposal, proposal_id) or abort(404)
    ensure(action, proposal)
    return proposal


@documents_bp.get("/proposals/<int:proposal_id>/pact")
def pact_versions(proposal_id: int):
    """Every version of the pact text, with who saved it, when and why."""
    proposal = _proposal_for(proposal_id)
    from sqlalchemy import select

    from commons.auth.models import User

    versions = PactVersion.all_for(proposal)
    ids = {v.author_id for v in versions if v.author_id}
    authors = (
        dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    from commons.documents.operations import comments_by_version

    comments = comments_by_version(proposal)
    return render_template(
        "documents/versions.html",
        proposal=proposal,
        versions=versions,
        authors=authors,
        can_edit=can(current_user, "pact.edit", proposal),
        comments=comments,
        since=_last_commented(versions, comments),
    )


def _last_commented(versions, comments):
    """The latest version the current user commented on, if a newer one exists since."""
    if not current_user.is_authenticated or not versions:
        return None
    mine = [
        v for v in versions if any(c.author_id == current_user.id for c in comments.get(v.id, ()))
    ]
    if not mine or mine[0].number == versions[0].number:
        return None
    return mine[0]


@documents_bp.get("/proposals/<int:proposal_id>/pact/<int:number>")
def pact_version(proposal_id: int, number: int):
    proposal = _proposal_for(proposal_id)
    version = PactVersion.numbered(proposal, number) or abort(404)
    return _version_page(proposal, version)


def _version_page(proposal, version, *, error=None, text="", status=200):
    from commons.documents.operations import comments_by_version

    return render_template(
        "documents/version.html",
        proposal=proposal,
        version=version,
        comments=comments_by_version(proposal).get(version.id, []),
        may_comment=can(current_user, "pact.comment", proposal),
        comment_error=error,
        comment_text=text,
    ), status


@documents_bp.post("/proposals/<int:proposal_id>/pact/<int:number>/comments")
def pact_comment(proposal_id: int, number: int):
    """The representative or a member comments on a version during co-design."""
    from flask import flash, redirect, url_for

    from commons.auth.permissions import ensure
    from commons.documents.operations import add_comment
    from commons.errors import DomainError

    proposal = _proposal_for(proposal_id)
    ensure("pact.comment", proposal)
    version = PactVersion.numbered(proposal, number) or abort(404)
    text = request.form.get("text", "")
    try:
        with transaction():
            add_comment(proposal, version, author=current_user, text=text)
    except DomainError as error:
        return _version_page(proposal, version, error=error.message, text=text, status=422)
    flash(_("Your comment is saved. The office sees it with the versions."), "success")
    return redirect(
        url_for("documents.pact_version", proposal_id=proposal.id, number=number)
        + "#comments-title"
    )


@documents_bp.get("/proposals/<int:proposal_id>/pact/compare")
def pact_compare(proposal_id: int):
    """Inline differences between two versions (default: the last two)."""
    from commons.documents.diff import diff_versions

    proposal = _proposal_for(proposal_id)
    versions = {v.number: v for v in PactVersion.all_for(proposal)}
    numbers = sorted(versions)
    if len(numbers) < 2:
        abort(404)
    old = request.args.get("a", type=int) or numbers[-2]
    new = request.args.get("b", type=int) or numbers[-1]
    if old not in versions or new not in versions:
        abort(404)
    return render_template(
        "documents/compare.html",
        proposal=proposal,
        numbers=numbers,
        old=versions[old],
        new=versions[new],
        sections=diff_versions(versions[old].content, versions[new].content),
    )


@documents_bp.route("/proposals/<int:proposal_id>/pact/edit", methods=["GET", "POST"])
def pact_edit(proposal_id: int):
    """The clause editor, terms first: every save is a new version with its author and comment.

    The page carries the version it was opened on; a save over a newer version is refused
    (409) and the page comes back merged with that version, clause by clause, for the
    person to check, choose where both changed the same clause, and save again.
    """
    from flask import flash, redirect, url_for

    from commons.documents import merge as pact_merge
    from commons.documents import terms as pact_terms
    from commons.documents.operations import (
        TermsRefused,
        VersionConflict,
        default_content,
        plain_content,
        save_version,
    )
    from commons.forms import FormTransaction

    proposal = _proposal_for(proposal_id, "pact.edit")
    versions = PactVersion.all_for(proposal)
    latest = versions[0] if versions else None
    started = latest
    if request.method == "POST":
        # The page was built from the version it says it started from: read it against that.
        number = request.form.get("base_version", "")
        started = next((v for v in versions if str(v.number) == number), latest)
        if number == "0":
            started = None
    base = started.content if started else default_content(proposal)
    base_terms = (
        pact_terms.terms_of(started) if started else pact_terms.Terms.from_dict(base["terms"])
    )
    form = pact_edit_form(base_terms, latest.number if latest else 0)
    content = base
    covered = {c.id: c.part for c in base_terms.commons}
    commons_error = None
    merge = None
    if form.validate_on_submit():
        posted = pact_merge.terms_posted(request.form, base_terms)
        terms, problems = pact_terms.from_form(posted, base_terms, proposal)
        covered = {c.id: c.part for c in terms.commons}
        if problems:
            commons_error = attach_terms_problems(form, problems)
        else:
            # As it would be stored: a browser's "\r\n" in a textarea is not a change.
            mine = plain_content(
                {**pact_merge.posted_articles(request.form, base), "terms": terms.to_dict()}
            )
            with FormTransaction(form) as saved:
                version = save_version(
                    proposal,
                    author=current_user,
                    content=pact_merge.without_empty_articles(mine),
                    comment=form.comment.data or "",
                    base_version=int(form.base_version.data),
                )
            if saved:
                flash(_("Version %(n)d saved.", n=version.number), "success")
                return redirect(url_for("documents.pact_versions", proposal_id=proposal.id))
            if isinstance(saved.error, VersionConflict):
                versions = PactVersion.all_for(proposal)
                latest = versions[0]
                merge = pact_merge.merge_contents(base, latest.content, mine)
                form, covered = merged_form(
                    merge, latest.number, form.comment.data or "", saved.error.message
                )
                content = merge.content
            elif isinstance(saved.error, TermsRefused):
                commons_error = attach_terms_problems(form, saved.error.problems, skip_first=True)
    status = form_status(form)
    return render_template(
        "documents/edit.html",
        proposal=proposal,
        form=form,
        content=content,
        latest=latest,
        editing=(started.number if started else 0) if merge is None else latest.number,
        covered=covered,
        commons_error=commons_error,
        merge=merge,
        merged_at={(c.section_key, c.index): c for c in merge.clauses} if merge else {},
        term_labels=term_labels(form),
        shown_terms=lambda group, values: shown_terms(group, values, form),
        posted=request.method == "POST" and merge is None,
    ), status


@documents_bp.post("/proposals/<int:proposal_id>/pact/<int:number>/preview")
def pact_preview(proposal_id: int, number: int):
    """Render a version as a draft PDF (stored, so asking again costs nothing)."""
    from datetime import UTC, datetime

    from flask import redirect, url_for

    from commons.documents.operations import issue_document

    proposal = _proposal_for(proposal_id, "pact.preview")
    version = PactVersion.numbered(proposal, number) or abort(404)
    if version.frozen_at is not None:
        abort(404)
    with transaction():
        document = issue_document(
            proposal, version, "draft", issued_at=version.created_at or datetime.now(UTC)
        )
    return redirect(url_for("documents.download", sha256=document.sha256))
