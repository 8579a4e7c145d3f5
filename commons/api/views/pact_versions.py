"""The API's pact text in co-design: versions, saves with their conflicts, comparison."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from commons.api import schemas as s
from commons.api.errors import problem
from commons.api.views.base import _load_proposal, api_bp, documented_errors, ensure, user
from commons.auth.models import User
from commons.documents.models import PactVersion
from commons.documents.operations import (
    VersionConflict,
    default_content,
    plain_content,
    save_version,
)
from commons.errors import NotFound
from commons.extensions import db
from commons.proposals.models import Proposal
from commons.transactions import discard_step


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
    versions = PactVersion.all_for(proposal)
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

    versions = {v.number: v for v in PactVersion.all_for(proposal)}
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
    version = PactVersion.numbered(proposal, number)
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
    versions = {v.number: v for v in PactVersion.all_for(proposal)}
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
