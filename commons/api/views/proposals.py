"""The API's proposals and their lifecycle: list, read, create, change, fire triggers."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

import workflows
from commons.api import schemas as s
from commons.api.views.base import (
    Unauthenticated,
    _cursor,
    _int,
    _load_proposal,
    _page,
    api_bp,
    documented_errors,
    ensure,
    user,
)
from commons.auth.permissions import can
from commons.documents.terms import is_approved
from commons.errors import DomainError, NotFound
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.lifecycle.states import profile_named
from commons.proposals import operations as proposal_ops
from commons.proposals.labels import trigger_label
from commons.proposals.models import Proposal
from commons.proposals.privacy import public_group_name
from commons.proposals.queries import repeated_firing
from commons.registry.models import Commons
from commons.transactions import discard_step


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
        "group_name": proposal.group.name
        if private
        else public_group_name(proposal, profile_named(proposal.profile)),
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
    stmt = select(Proposal).options(
        selectinload(Proposal.commons),
        selectinload(Proposal.group).selectinload(ProponentGroup.members),
        selectinload(Proposal.representative),
        selectinload(Proposal.case_officer),
    )
    if args["mine"]:
        if not me.is_authenticated:
            raise Unauthenticated(_("This needs an access token of someone allowed to do it."))
        stmt = stmt.where(Proposal.proposed_by(me))
    else:
        stmt = stmt.where(Proposal.visible_to(me))
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
    if data.get("signed_file"):
        if trigger != "sign":
            raise DomainError(_("A signed file goes only with the sign action."), "signed_file")
        try:
            values["signed_file"] = base64.b64decode(data["signed_file"], validate=True)
        except (binascii.Error, ValueError):
            raise DomainError(_("The signed file is not valid base64."), "signed_file") from None
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
