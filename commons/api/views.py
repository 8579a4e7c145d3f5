"""The JSON API, /api/v1: thin views over the same operations, engine and ``can()`` as the pages.

Each view: authenticate by token (never the session cookie) -> load the object (404) ->
``can()`` (401 for anonymous, 403 otherwise) -> one operation -> JSON.
"""

from __future__ import annotations

import functools
import http
import logging
from datetime import datetime

from flask import current_app, g, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin
from flask_smorest import Blueprint
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

import workflows
from commons.api import schemas as s
from commons.api.errors import from_domain_error, from_http_exception, problem
from commons.api.operations import find_token, mark_used
from commons.audit import jobs
from commons.audit.exports import Filters
from commons.audit.models import AuditEvent, ExportJob
from commons.auth.models import GroupMember, ProponentGroup, User
from commons.auth.permissions import can
from commons.documents import storage
from commons.documents.models import Document, PactVersion
from commons.documents.operations import (
    VersionConflict,
    default_content,
    find_document,
    plain_content,
    save_version,
)
from commons.documents.terms import is_approved
from commons.errors import Conflict, DomainError, NotFound, PermissionDenied
from commons.extensions import db
from commons.limits import API_BODY_BYTES
from commons.monitoring.models import MonitoringReport
from commons.pagination import decode_cursor, encode_cursor
from commons.proposals import operations as proposal_ops
from commons.proposals.labels import trigger_label
from commons.proposals.models import Proposal
from commons.proposals.queries import repeated_firing
from commons.registry import operations as registry_ops
from commons.registry.models import Commons
from commons.transactions import discard_step, transaction
from workflows.errors import WorkflowError

log = logging.getLogger(__name__)


class Parser(FlaskParser):
    # Bad input is the client's to fix: 400 with the field errors (422 is for the rules).
    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = Parser()


api_bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Commons, proposals and pacts, their lifecycle, documents and audit trail.",
)


def documented_errors(*codes: int):
    """List the problems an operation answers with in the document (all are problem+json)."""

    def decorate(view):
        for code in reversed(codes):
            view = api_bp.alt_response(code, response=http.HTTPStatus(code).name)(view)
        return view

    return decorate


class Unauthenticated(PermissionDenied):
    status_code = 401


@api_bp.errorhandler(DomainError)
@api_bp.errorhandler(WorkflowError)
def on_domain_error(error: DomainError | WorkflowError):
    db.session.rollback()
    return from_domain_error(error)


def on_http_error(error: HTTPException):
    if (error.code or 500) >= 500:
        db.session.rollback()
    return from_http_exception(error)


# By status code: the blueprint's handlers come before the site's HTML error pages.
for _code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500):
    api_bp.register_error_handler(_code, on_http_error)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@api_bp.before_request
def limit_body():
    """JSON bodies are small: the API reads at most API_MAX_BODY_BYTES (413 beyond it)."""
    from werkzeug.exceptions import RequestEntityTooLarge

    limit = current_app.config.get("API_MAX_BODY_BYTES", API_BODY_BYTES)
    # Set for a body sent without a length (read up to the limit only); a body that says its
    # length is refused before anything reads it (the app's own checks may have opened the
    # stream already, with the site's larger limit).
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


@api_bp.before_request
def authenticate_request():
    """Bearer token or anonymous; a token that does not work is refused, never ignored."""
    g.api_user = AnonymousUserMixin()
    g.api_token = None
    header = request.headers.get("Authorization")
    if header is None:
        if request.method in WRITE_METHODS:
            # Nothing is written anonymously: say so before looking at the body (else a 400
            # about the body would hide that a token is needed at all).
            return problem(401, _("This needs an access token of someone allowed to do it."))
        return None
    scheme, _sep, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return problem(401, _("Send the token as: Authorization: Bearer <token>."))
    token = find_token(secret.strip())
    if token is None:
        return problem(
            401, _("This token is not valid: it is wrong, revoked, or its account is disabled.")
        )
    g.api_token = token
    g.api_user = token.user
    return None


def api_transaction(view):
    """The API's request boundary: every API view runs as one transaction.

    ``init_api`` wraps each view of the blueprint with it. The view's operations only flush;
    when the view answers a success (status below 400) the transaction is committed, when it
    answers an error or raises (a DomainError, an abort) it is rolled back, and the error
    handlers answer the problem. A commit refused by a race (StaleDataError, IntegrityError)
    goes to the app's handler, as a 409.
    """

    @functools.wraps(view)
    def run(*args, **kwargs):
        with transaction():
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code >= 400:
                discard_step()  # an error answered without raising keeps nothing either
        return response

    return run


@api_bp.after_request
def note_token_used(response):
    """After the request's own transaction, note the token's use (at most once a minute) and
    commit it, so a request that only reads (or is refused) still records it."""
    token = g.get("api_token")
    if token is not None:
        db.session.rollback()  # nothing of the request is left here but its token
        mark_used(token)
        if db.session.dirty:
            try:
                db.session.commit()
            except SQLAlchemyError:  # not worth failing the answer for
                db.session.rollback()
                log.warning("token %s: last use not recorded", token.id, exc_info=True)
    return response


def user():
    return g.api_user


def ensure(action: str, obj=None) -> None:
    if not can(user(), action, obj):
        if not user().is_authenticated:
            raise Unauthenticated(_("This needs an access token of someone allowed to do it."))
        raise PermissionDenied(_("Your roles do not allow this."))


MAX_ID = 2**31 - 1  # beyond an INTEGER column: nothing can be there


def _get(model, pk):
    obj = db.session.get(model, pk) if 0 < pk <= MAX_ID else None
    if obj is None:
        raise NotFound(_("There is no such item."))
    return obj


def _load_proposal(proposal_id: int, action: str = "proposal.view") -> Proposal:
    proposal = _get(Proposal, proposal_id)
    ensure(action, proposal)
    return proposal


def _cursor(args) -> list | None:
    token = args.get("cursor")
    if not token:
        return None
    values = decode_cursor(token)
    if values is None or len(values) != 2 or "\x00" in str(values):
        raise DomainError(
            _("This cursor is not valid; start again from the first page."), "cursor"
        ) from None
    return values


def _page(rows, limit: int, key) -> dict:
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(key(rows[-1])) if more and rows else None}


# --- who am I ----------------------------------------------------------------------------------


@api_bp.get("/me", tags=["Account"])
@api_bp.response(200, s.MeOut)
def me():
    """The account the token belongs to, its roles and the groups it represents."""
    ensure("account.manage")
    groups = db.session.scalars(
        select(ProponentGroup)
        .where(ProponentGroup.representative_id == user().id)
        .order_by(ProponentGroup.id)
    ).all()
    return {
        "id": user().id,
        "full_name": user().full_name,
        "email": user().email,
        "roles": sorted(str(r) for r in user().roles),
        "groups": groups,
    }


# --- commons -----------------------------------------------------------------------------------


@api_bp.get("/commons", tags=["Commons"])
@api_bp.arguments(s.CommonsListArgs, location="query")
@api_bp.response(200, s.page_of(s.CommonsOut, "CommonsPage"))
def commons_list(args):
    """The register of commons, by name; filter by kind, availability, district or name."""
    ensure("commons.view")
    stmt = select(Commons)
    for key in ("kind", "availability", "district"):
        if args.get(key):
            stmt = stmt.where(getattr(Commons, key) == args[key])
    if args.get("q"):
        stmt = stmt.where(Commons.name.ilike(f"%{args['q']}%"))
    after = _cursor(args)
    if after is not None:
        name, pk = str(after[0]), _int(after[1])
        stmt = stmt.where(or_(Commons.name > name, and_(Commons.name == name, Commons.id > pk)))
    rows = db.session.scalars(stmt.order_by(Commons.name, Commons.id).limit(args["limit"] + 1))
    return _page(list(rows), args["limit"], lambda c: [c.name, c.id])


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(
            _("This cursor is not valid; start again from the first page."), "cursor"
        ) from None


@api_bp.get("/commons/<int:commons_id>", tags=["Commons"])
@api_bp.response(200, s.CommonsOut)
def commons_get(commons_id: int):
    """One commons of the register."""
    ensure("commons.view")
    return _get(Commons, commons_id)


@api_bp.post("/commons", tags=["Commons"])
@api_bp.arguments(s.CommonsIn)
@api_bp.response(201, s.CommonsOut)
@documented_errors(401, 403)
def commons_create(data):
    """Add a commons to the register (officers and administrators)."""
    ensure("commons.edit")
    created = registry_ops.create_commons(actor=user(), **data)
    return created


@api_bp.patch("/commons/<int:commons_id>", tags=["Commons"])
@api_bp.arguments(s.patch_of(s.CommonsPatch))
@api_bp.response(200, s.CommonsOut)
@documented_errors(401, 403, 404, 409)
def commons_update(data, commons_id: int):
    """Change a commons' details (officers and administrators); send only what changes, with
    the `version` you read as `expected_version`."""
    commons = _get(Commons, commons_id)
    ensure("commons.edit", commons)
    base = data.pop("expected_version")
    registry_ops.update_commons(commons, actor=user(), base_version=base, **data)
    return commons


# --- proposals ---------------------------------------------------------------------------------


def proposal_out(proposal: Proposal) -> dict:
    """The public fields for anyone who may see the proposal; private ones for those allowed."""
    private = can(user(), "proposal.view_private", proposal)
    out = {
        "id": proposal.id,
        "title": proposal.title,
        "pact_type": proposal.pact_type,
        "status": proposal.status,
        "profile": proposal.profile,
        "protocol_number": proposal.protocol_number,
        "group_name": proposal.group.name,
        "commons": proposal.commons,
        "objectives": proposal.objectives,
        "activities": proposal.activities,
        "support_requested": list(proposal.support_requested or []),
        "requested_duration_months": proposal.requested_duration_months,
        "start_date": proposal.start_date,
        "end_date": proposal.end_date,
        "term_basis": "approved" if is_approved(proposal) else "requested",
        "submitted_at": proposal.submitted_at,
        "created_at": proposal.created_at,
        "updated_at": proposal.updated_at,
        "version": proposal.lock_version,
        "private": private,
    }
    if private:
        out.update(
            group=proposal.group,
            representative=proposal.representative,
            case_officer=proposal.case_officer,
            support_notes=proposal.support_notes,
            decision_number=proposal.decision_number,
            decision_date=proposal.decision_date,
            deliberation_number=proposal.deliberation_number,
            deliberation_date=proposal.deliberation_date,
            next_report_due_on=proposal.next_report_due_on,
        )
    return out


@api_bp.get("/proposals", tags=["Proposals"])
@api_bp.arguments(s.ProposalListArgs, location="query")
@api_bp.response(200, s.page_of(s.ProposalOut, "ProposalPage"))
def proposals_list(args):
    """Proposals and pacts you may see, newest first; filter by state, type, commons, or mine.

    Drafts are visible only to their proponents, as on the web pages.
    """
    me = user()
    member_of = (
        select(GroupMember.group_id).where(GroupMember.user_id == me.id)
        if me.is_authenticated
        else None
    )
    stmt = select(Proposal).options(
        selectinload(Proposal.commons),
        selectinload(Proposal.group).selectinload(ProponentGroup.members),
        selectinload(Proposal.representative),
        selectinload(Proposal.case_officer),
    )
    if me.is_authenticated:
        mine = or_(Proposal.representative_id == me.id, Proposal.group_id.in_(member_of))
        stmt = stmt.where(mine if args["mine"] else or_(Proposal.status != "draft", mine))
    elif args["mine"]:
        raise Unauthenticated(_("This needs an access token of someone allowed to do it."))
    else:
        stmt = stmt.where(Proposal.status != "draft")
    if args.get("status"):
        stmt = stmt.where(Proposal.status == args["status"])
    if args.get("pact_type"):
        stmt = stmt.where(Proposal.pact_type == args["pact_type"])
    if args.get("commons_id"):
        from commons.proposals.models import proposal_commons

        stmt = stmt.where(
            Proposal.id.in_(
                select(proposal_commons.c.proposal_id).where(
                    proposal_commons.c.commons_id == args["commons_id"]
                )
            )
        )
    after = _cursor(args)
    if after is not None:
        try:
            created = datetime.fromisoformat(str(after[0]))
        except ValueError:
            created = None
        if created is None or created.tzinfo is None:
            raise DomainError(
                _("This cursor is not valid; start again from the first page."), "cursor"
            )
        pk = _int(after[1])
        stmt = stmt.where(
            or_(
                Proposal.created_at < created,
                and_(Proposal.created_at == created, Proposal.id < pk),
            )
        )
    rows = list(
        db.session.scalars(
            stmt.order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(args["limit"] + 1)
        )
    )
    page = _page(rows, args["limit"], lambda p: [p.created_at.isoformat(), p.id])
    page["items"] = [proposal_out(p) for p in page["items"]]
    return page


@api_bp.get("/proposals/<int:proposal_id>", tags=["Proposals"])
@api_bp.response(200, s.ProposalOut)
def proposals_get(proposal_id: int):
    """One proposal; private fields only for its proponents and the city's staff."""
    return proposal_out(_load_proposal(proposal_id))


def _commons_from_ids(ids) -> list[Commons]:
    ids = list(dict.fromkeys(ids or []))
    found = (
        {c.id: c for c in db.session.scalars(select(Commons).where(Commons.id.in_(ids)))}
        if ids
        else {}
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(
            _("No commons with id %(ids)s.", ids=", ".join(map(str, missing))), "commons_ids"
        )
    return [found[i] for i in ids]


@api_bp.post("/proposals", tags=["Proposals"])
@api_bp.arguments(s.ProposalIn)
@api_bp.response(201, s.ProposalOut)
@documented_errors(401, 403)
def proposals_create(data):
    """Start a draft for a group you represent (citizens)."""
    ensure("proposal.create")
    group = db.session.get(ProponentGroup, data.pop("group_id"))
    if group is None:
        raise DomainError(_("There is no such group."), "group_id")
    commons = _commons_from_ids(data.pop("commons_ids", []))
    proposal = proposal_ops.create_draft(
        representative=user(), group=group, commons=commons, **data
    )
    return proposal_out(proposal)


@api_bp.patch("/proposals/<int:proposal_id>", tags=["Proposals"])
@api_bp.arguments(s.patch_of(s.ProposalPatch))
@api_bp.response(200, s.ProposalOut)
@documented_errors(401, 403, 404, 409, 422)
def proposals_update(data, proposal_id: int):
    """Change a draft (its representative); send only what changes, with the `version` you
    read as `expected_version`."""
    proposal = _load_proposal(proposal_id)
    ensure("proposal.edit", proposal)
    base = data.pop("expected_version")
    if "commons_ids" in data:
        data["commons"] = _commons_from_ids(data.pop("commons_ids"))
    proposal_ops.update_draft(proposal, actor=user(), base_version=base, **data)
    return proposal_out(proposal)


# --- transitions -------------------------------------------------------------------------------


@api_bp.get("/proposals/<int:proposal_id>/transitions", tags=["Lifecycle"])
@api_bp.response(200, s.TransitionsOut)
def transitions_list(proposal_id: int):
    """The lifecycle triggers you may fire now, the data each requires and any unmet rule."""
    proposal = _load_proposal(proposal_id)
    infos = workflows.allowed_triggers(proposal, user()) if user().is_authenticated else []
    return {
        "proposal_id": proposal.id,
        "status": proposal.status,
        "version": proposal.lock_version,
        "triggers": [
            {
                "trigger": i.trigger,
                "label": trigger_label(i.trigger),
                "target": i.target,
                "requires": i.requires,
                "optional": i.optional,
                "blocked_by": i.blocked_by,
                "ready": i.ready,
            }
            for i in infos
        ],
    }


@api_bp.post("/proposals/<int:proposal_id>/transitions/<trigger>", tags=["Lifecycle"])
@api_bp.arguments(s.TransitionIn)
@api_bp.response(200, s.TransitionOut)
@documented_errors(401, 403, 404, 409, 422, 429)
def transitions_fire(data, proposal_id: int, trigger: str):
    """Fire a lifecycle trigger with its data: 409 if stale or not possible now, 422 if refused."""
    proposal = _load_proposal(proposal_id)
    profile = workflows.get_profile(proposal.profile)
    if trigger not in profile.triggers:
        raise NotFound(
            _(
                "%(action)s is not an action of the regulation %(profile)s.",
                action=trigger,
                profile=profile.name,
            )
        )
    if not user().is_authenticated:
        raise Unauthenticated(_("This needs an access token of someone allowed to do it."))
    values = {k: v for k, v in data["data"].items() if v is not None}
    expected = data.get("expected_version")
    try:
        event = workflows.fire(proposal, trigger, user(), expected_version=expected, **values)
    except workflows.WorkflowError:
        discard_step()
        # A repeated request (a client retrying, a double click) is answered as the first was.
        event = repeated_firing(proposal, trigger, user(), expected)
        if event is None:
            raise
    return {"event": event, "proposal": proposal_out(proposal)}


# --- pact versions -----------------------------------------------------------------------------


def _versions(proposal: Proposal) -> list[PactVersion]:
    return list(
        db.session.scalars(
            select(PactVersion)
            .where(PactVersion.proposal_id == proposal.id)
            .order_by(PactVersion.number.desc())
        )
    )


def _version_out(version: PactVersion, authors: dict, *, content: bool = False) -> dict:
    out = {
        "number": version.number,
        "content_hash": version.content_hash,
        "comment": version.comment or "",
        "author": authors.get(version.author_id),
        "created_at": version.created_at,
        "frozen_at": version.frozen_at,
    }
    if content:
        out["content"] = version.content
    return out


def _authors(versions) -> dict:
    ids = {v.author_id for v in versions if v.author_id}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@api_bp.get("/proposals/<int:proposal_id>/pact-versions", tags=["Pact versions"])
@api_bp.response(200, s.PactVersionSummary(many=True))
def versions_list(proposal_id: int):
    """Every version of the pact text, newest first (proponents and staff)."""
    proposal = _load_proposal(proposal_id, "proposal.view_private")
    versions = _versions(proposal)
    authors = _authors(versions)
    return [_version_out(v, authors) for v in versions]


@api_bp.post("/proposals/<int:proposal_id>/pact-versions", tags=["Pact versions"])
@api_bp.arguments(s.PactVersionIn)
@api_bp.response(201, s.PactVersionOut)
@documented_errors(401, 403, 404, 409, 422)
def versions_create(data, proposal_id: int):
    """Save the pact text as a new version, during co-design (the office, the representative).

    409 `version-conflict` when a version newer than `base_version` exists: nothing is saved.
    """
    proposal = _load_proposal(proposal_id, "proposal.view_private")
    ensure("pact.edit", proposal)
    try:
        version = save_version(
            proposal,
            author=user(),
            content=data.get("content"),
            comment=data.get("comment", ""),
            base_version=data["base_version"],
        )
    except VersionConflict as conflict:
        discard_step()
        return _version_conflict(proposal, conflict, data.get("content"))
    return _version_out(version, _authors([version]), content=True)


def _version_conflict(proposal: Proposal, conflict: VersionConflict, content: dict | None):
    """The 409 of a stale save: the latest number and, per clause and term, who changed it."""
    from commons.documents.merge import compact, merge_contents

    versions = {v.number: v for v in _versions(proposal)}
    base = versions.get(conflict.base_version)
    latest = versions[conflict.latest_version]
    merge = merge_contents(
        base.content if base else default_content(proposal),
        latest.content,
        plain_content(content) if content is not None else default_content(proposal),
    )
    return problem(
        409,
        _(
            "Version %(latest)d was saved after version %(base)d, which this text was written "
            "from, so nothing was saved. Merge the changes listed and send the text again "
            "with base_version %(latest)d.",
            latest=conflict.latest_version,
            base=conflict.base_version,
        ),
        slug="version-conflict",
        title=_("The pact text changed since your edit started"),
        base_version=conflict.base_version,
        latest_version=conflict.latest_version,
        changes=compact(merge),
    )


@api_bp.get("/proposals/<int:proposal_id>/pact-versions/<int:number>", tags=["Pact versions"])
@api_bp.response(200, s.PactVersionOut)
def versions_get(proposal_id: int, number: int):
    """One version of the pact text, with its content."""
    proposal = _load_proposal(proposal_id, "proposal.view_private")
    version = next((v for v in _versions(proposal) if v.number == number), None)
    if version is None:
        raise NotFound(_("There is no such version."))
    return _version_out(version, _authors([version]), content=True)


@api_bp.get("/proposals/<int:proposal_id>/pact-versions/diff", tags=["Pact versions"])
@api_bp.arguments(s.DiffArgs, location="query")
@api_bp.response(200, s.DiffOut)
def versions_diff(args, proposal_id: int):
    """What changed between two versions (default: the last two), section by section."""
    from commons.documents.diff import diff_versions

    proposal = _load_proposal(proposal_id, "proposal.view_private")
    versions = {v.number: v for v in _versions(proposal)}
    numbers = sorted(versions)
    if len(numbers) < 2 and not (args.get("a") and args.get("b")):
        raise NotFound(_("There are fewer than two versions to compare."))
    old = args.get("a") or numbers[-2]
    new = args.get("b") or numbers[-1]
    if old not in versions or new not in versions:
        raise NotFound(_("There is no such version."))
    sections = diff_versions(versions[old].content, versions[new].content)
    for section in sections:
        for article in section["articles"]:
            article["title"], article["text"] = str(article["title"]), str(article["text"])
    return {"a": old, "b": new, "sections": sections}


# --- documents ---------------------------------------------------------------------------------


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


def _may_read(document: Document) -> bool:
    from commons.documents.views import may_read

    return may_read(user(), document)


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
    return [_document_out(d) for d in rows if _may_read(d)]


def _load_document(sha256: str) -> Document:
    document = find_document(sha256.lower()) if storage.SHA256.match(sha256.lower()) else None
    if document is None:
        raise NotFound(_("The registry issued no document with this fingerprint."))
    if not _may_read(document):
        ensure("proposal.view_private", document.proposal)
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
    document = _load_document(sha256)
    path = storage.path_for(current_app.config["STORAGE_DIR"], document.sha256)
    if not path.exists():
        raise NotFound(_("The file of this document is missing from the storage."))
    return send_file(
        path,
        mimetype="application/pdf",
        etag=document.sha256,
        download_name=f"{document.sha256}.pdf",
    )


# --- monitoring reports ------------------------------------------------------------------------


def _report_out(report: MonitoringReport, authors: dict) -> dict:
    return {
        "id": report.id,
        "proposal_id": report.proposal_id,
        "author": authors.get(report.author_id),
        "filed_at": report.filed_at,
        "text": report.text,
        "indicators": report.indicators or {},
        "final": report.final,
    }


@api_bp.get("/proposals/<int:proposal_id>/reports", tags=["Monitoring reports"])
@api_bp.response(200, s.ReportOut(many=True))
def reports_list(proposal_id: int):
    """The monitoring reports filed on a pact, oldest first (proponents and staff)."""
    proposal = _load_proposal(proposal_id, "proposal.view_private")
    reports = list(
        db.session.scalars(
            select(MonitoringReport)
            .where(MonitoringReport.proposal_id == proposal.id)
            .order_by(MonitoringReport.filed_at, MonitoringReport.id)
        )
    )
    ids = {r.author_id for r in reports if r.author_id}
    authors = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    )
    return [_report_out(r, authors) for r in reports]


@api_bp.post("/proposals/<int:proposal_id>/reports", tags=["Monitoring reports"])
@api_bp.arguments(s.ReportIn)
@api_bp.response(201, s.ReportOut)
@documented_errors(401, 403, 404, 409, 422)
def reports_create(data, proposal_id: int):
    """File a monitoring report: the ``file_report`` trigger of the lifecycle (representative)."""
    proposal = _load_proposal(proposal_id)
    if not user().is_authenticated:
        raise Unauthenticated(_("This needs an access token of someone allowed to do it."))
    values = {"report_text": data["report_text"], "final": "y" if data["final"] else ""}
    for key in ("participants", "volunteer_hours"):
        if data.get(key) is not None:
            values[key] = str(data[key])
    event = workflows.fire(
        proposal, "file_report", user(), expected_version=data.get("expected_version"), **values
    )
    report = db.session.get(MonitoringReport, event.payload["report_id"])
    return _report_out(report, {user().id: user()})


# --- audit events ------------------------------------------------------------------------------


@api_bp.get("/audit/events", tags=["Audit"])
@api_bp.arguments(s.AuditArgs, location="query")
@api_bp.response(200, s.page_of(s.AuditEventOut, "AuditEventPage"))
@documented_errors(401, 403)
def audit_events(args):
    """The audit trail in chain order (auditors); filter by proposal or trigger."""
    ensure("audit.read")
    stmt = select(AuditEvent)
    if args.get("proposal_id"):
        stmt = stmt.where(AuditEvent.proposal_id == args["proposal_id"])
    if args.get("trigger"):
        stmt = stmt.where(AuditEvent.trigger == args["trigger"])
    token = args.get("cursor")
    if token:
        values = decode_cursor(token)
        if values is None or len(values) != 1:
            raise DomainError(
                _("This cursor is not valid; start again from the first page."), "cursor"
            )
        stmt = stmt.where(AuditEvent.seq > _int(values[0]))
    rows = list(db.session.scalars(stmt.order_by(AuditEvent.seq).limit(args["limit"] + 1)))
    return _page(rows, args["limit"], lambda e: [e.seq])


# --- exports -----------------------------------------------------------------------------------


def _export_out(job: ExportJob) -> dict:
    return {
        **{
            key: getattr(job, key)
            for key in (
                "id",
                "format",
                "bom",
                "filters",
                "status",
                "progress",
                "total",
                "size",
                "sha256",
                "error",
                "created_at",
                "started_at",
                "finished_at",
            )
        },
        "status_url": url_for("api.exports_get", job_id=job.id),
        "download_url": (
            url_for("api.exports_download", job_id=job.id) if job.status == "done" else None
        ),
    }


def _own_export(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id) if job_id <= 2**31 - 1 else None
    if job is None:
        raise NotFound(_("There is no such export."))
    ensure("audit.export_download", job)
    return job


@api_bp.post("/exports", tags=["Exports"])
@api_bp.arguments(s.ExportIn)
@api_bp.response(202, s.ExportOut)
@documented_errors(401, 403, 422)
def exports_start(data):
    """Start an export of the audit history of the selected pacts (auditors). It runs in the
    background; follow ``status_url`` until ``status`` is ``done``, then fetch ``download_url``.
    The export is itself recorded as an audit event."""
    ensure("audit.export")
    filters = Filters.from_dict(
        {
            **data["filters"],
            **{
                key: data["filters"][key].isoformat()
                for key in ("date_from", "date_to")
                if data["filters"].get(key)
            },
        }
    )
    job = jobs.start_export(user(), data["format"], filters, bom=data["bom"])
    return _export_out(job)


@api_bp.get("/exports/<int:job_id>", tags=["Exports"])
@api_bp.response(200, s.ExportOut)
@documented_errors(401, 403, 404)
def exports_get(job_id: int):
    """An export's progress (only the auditor who started it)."""
    return _export_out(_own_export(job_id))


@api_bp.get("/exports/<int:job_id>/file", tags=["Exports"])
@api_bp.response(
    200,
    {"type": "string", "contentMediaType": "application/octet-stream"},
    content_type="application/octet-stream",
    description="The export's file (CSV, JSON Lines, XLSX or ZIP bundle), its SHA-256 in "
    "the ETag and Repr-Digest headers.",
)
@documented_errors(401, 403, 404, 409)
def exports_download(job_id: int):
    """The finished export's file (only the auditor who started it)."""
    job = _own_export(job_id)
    if job.status != "done":
        raise Conflict(_("This export is not ready: it is %(status)s.", status=job.status))
    response = jobs.send_export(job)
    if response is None:
        raise NotFound(_("The file of this export is no longer kept."))
    return response
