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
from commons.documents.forms import PactEditForm, PactFileForm, VerifyForm
from commons.documents.models import PactVersion
from commons.documents.operations import find_document, signature_rows
from commons.extensions import db
from commons.forms import form_status
from commons.proposals.labels import state_label
from commons.transactions import transaction

documents_bp = Blueprint("documents", __name__)


@documents_bp.get("/documents/<sha256>.pdf")
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


def _posted_articles(form, base: dict) -> dict:
    """The pact text as submitted by the clause editor, article by article at its place.

    ``base`` is the text the page was built from. Articles written from the terms
    ("generated") have no inputs: they are kept, and written again from the submitted terms
    when the version is saved. An emptied article stays as an empty slot (so the places line
    up with ``base`` for a merge); filled slots after the last article are new articles. In a
    merge, ``<prefix>-take=theirs:<k>`` takes article ``k`` of ``base`` (the latest version)
    instead of what was typed (``theirs:`` alone: theirs removed it).
    """
    sections = []
    for s_index, section in enumerate(base.get("sections", [])):
        existing = section.get("articles", [])
        articles = []
        a_index = 0
        while a_index < len(existing) or any(
            f"s{s_index}-a{a_index}-{part}" in form for part in ("title", "text")
        ):
            prefix = f"s{s_index}-a{a_index}"
            if a_index < len(existing) and existing[a_index].get("generated"):
                articles.append(existing[a_index])
            elif (form.get(f"{prefix}-take") or "").startswith("theirs:"):
                at = form[f"{prefix}-take"].removeprefix("theirs:")
                theirs = existing[int(at)] if at.isdigit() and int(at) < len(existing) else {}
                articles.append({"title": theirs.get("title", ""), "text": theirs.get("text", "")})
            else:
                articles.append(
                    {
                        "title": (form.get(f"{prefix}-title") or "").strip(),
                        "text": (form.get(f"{prefix}-text") or "").strip(),
                    }
                )
            a_index += 1
        sections.append({**section, "articles": articles})
    return {**base, "sections": sections}


def _terms_posted(form, started_terms):
    """The submitted terms fields; in a merge, a group marked ``terms_take-<group>=theirs``
    takes the values of the version the page was built from (the latest)."""
    from commons.documents import terms as pact_terms
    from commons.documents.merge import TERM_GROUPS

    posted = form.copy()
    theirs = pact_terms.form_values(started_terms)
    fields = {
        "term": ("terms_start_date", "terms_end_date", "terms_duration_months"),
        "support": ("terms_support",),
        "support_amount": ("terms_support_amount",),
        "support_notes": ("terms_support_notes",),
        "report_interval_months": ("terms_report_interval_months",),
    }
    for group in TERM_GROUPS:
        if form.get(f"terms_take-{group}") != "theirs":
            continue
        if group == "commons":
            for key in [k for k in posted if k.startswith(("terms_commons-", "terms_part-"))]:
                posted.poplist(key)
            for c in started_terms.commons:
                posted[f"terms_commons-{c.id}"] = "y"
                posted[f"terms_part-{c.id}"] = c.part
            continue
        for name in fields[group]:
            value = theirs[name]
            posted.setlist(name, value if isinstance(value, list) else [value])
    return posted


def _shown_terms(group: str, values: dict, form) -> str:
    """One group of the terms' fields as a line of text, for the merge panel."""
    from commons.proposals.forms import support_labels

    if group == "term":
        parts = [
            f"{form.terms_start_date.label.text}: {values.get('start_date')}"
            if values.get("start_date")
            else "",
            f"{form.terms_end_date.label.text}: {values.get('end_date')}"
            if values.get("end_date")
            else "",
            f"{form.terms_duration_months.label.text}: {values.get('duration_months')}"
            if values.get("duration_months")
            else "",
        ]
        shown = "; ".join(p for p in parts if p)
    elif group == "commons":
        shown = "; ".join(
            c.get("name", "") + (f" ({c['part']})" if c.get("part") else "")
            for c in values.get("commons") or []
        )
    elif group == "support":
        labels = support_labels()
        shown = ", ".join(str(labels.get(f, f)) for f in values.get("support.forms") or [])
    else:
        shown = str(next(iter(values.values())) or "")
    return shown or _("(none)")


def _term_labels(form) -> dict[str, str]:
    return {
        "term": _("Term of the pact"),
        "commons": _("Commons covered"),
        "support": form.terms_support.label.text,
        "support_amount": form.terms_support_amount.label.text,
        "support_notes": form.terms_support_notes.label.text,
        "report_interval_months": form.terms_report_interval_months.label.text,
    }


def _merged_form(merge, latest_number: int, comment: str, message: str):
    """A fresh editor form on the latest version, filled with the merged terms."""
    from commons.documents import terms as pact_terms
    from commons.proposals.forms import support_labels

    merged_terms = pact_terms.Terms.from_dict(merge.content["terms"])
    form = PactEditForm(
        formdata=None,
        data={
            **pact_terms.form_values(merged_terms),
            "base_version": str(latest_number),
            "comment": comment,
        },
    )
    form.terms_support.choices = list(support_labels().items())
    form.form_errors.append(message)
    form.conflict = True
    return form, {c.id: c.part for c in merged_terms.commons}


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
    from commons.proposals.forms import support_labels

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
    form = PactEditForm(
        data={
            **pact_terms.form_values(base_terms),
            "base_version": str(latest.number if latest else 0),
        }
    )
    form.terms_support.choices = list(support_labels().items())
    content = base
    covered = {c.id: c.part for c in base_terms.commons}
    commons_error = None
    merge = None
    if form.validate_on_submit():
        posted = _terms_posted(request.form, base_terms)
        terms, problems = pact_terms.from_form(posted, base_terms, proposal)
        covered = {c.id: c.part for c in terms.commons}
        if problems:
            commons_error = _attach_terms_problems(form, problems)
        else:
            # As it would be stored: a browser's "\r\n" in a textarea is not a change.
            mine = plain_content({**_posted_articles(request.form, base), "terms": terms.to_dict()})
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
                form, covered = _merged_form(
                    merge, latest.number, form.comment.data or "", saved.error.message
                )
                content = merge.content
            elif isinstance(saved.error, TermsRefused):
                commons_error = _attach_terms_problems(form, saved.error.problems, skip_first=True)
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
        term_labels=_term_labels(form),
        shown_terms=lambda group, values: _shown_terms(group, values, form),
        posted=request.method == "POST" and merge is None,
    ), status


def _attach_terms_problems(form, problems: dict[str, str], *, skip_first: bool = False):
    """Each problem next to its terms field; returns the one about the commons covered."""
    commons_error = None
    for index, (key, message) in enumerate(problems.items()):
        if key == "commons":
            commons_error = message
        if skip_first and index == 0:
            continue  # FormTransaction has shown it already
        field = getattr(form, f"terms_{key}", None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
    return commons_error


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
