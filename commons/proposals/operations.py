"""Operations on proposals. Status changes go through ``workflows.fire`` only."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _

import workflows
from commons import limits
from commons.audit.operations import append_event
from commons.auth.models import User
from commons.db import utcnow
from commons.errors import DomainError
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.lifecycle.states import is_tagged
from commons.proposals.models import (
    CoDesignMeeting,
    PactType,
    Proposal,
    Support,
    TechnicalOpinion,
)
from commons.registry.models import Commons
from commons.versioning import ensure_base_version, holds


def create_draft(
    *,
    representative: User,
    group: ProponentGroup,
    title: str,
    commons: list[Commons] | None = None,
    pact_type: str = PactType.ORDINARY,
    objectives: str = "",
    activities: str = "",
    support_requested=(),
    support_notes: str = "",
    requested_duration_months: int | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
    now: datetime | None = None,
) -> Proposal:
    """Start a proposal in ``draft`` for a group the user represents (``now``: when it was
    created, default now; the demo city dates its history in the past)."""
    if group.representative_id != representative.id:
        raise DomainError(
            _("Only the group's representative can make a proposal for it."), field="group"
        )
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Enter a title."), field="title")
    if requested_duration_months is not None and requested_duration_months <= 0:
        raise DomainError(
            _("The duration must be at least one month."), field="requested_duration_months"
        )
    if start_date and end_date and end_date < start_date:
        raise DomainError(_("The end date must come after the start date."), field="end_date")
    proposal = Proposal(
        title=title,
        pact_type=PactType(pact_type).value,
        group=group,
        representative=representative,
        commons=list(commons or []),
        objectives=objectives,
        activities=activities,
        support_requested=sorted(Support(s).value for s in support_requested),
        support_notes=support_notes,
        requested_duration_months=requested_duration_months,
        start_date=start_date,
        end_date=end_date,
        status=workflows.get_profile(current_app.config["PROFILE"]).initial,
        profile=current_app.config["PROFILE"],
    )
    if now is not None:
        proposal.created_at = proposal.updated_at = now
    db.session.add(proposal)
    db.session.flush()
    append_event(
        "created",
        actor=representative,
        actor_role="citizen",
        proposal=proposal,
        to_state=proposal.status,
        payload={"title": title},
        public=False,
        occurred_at=now,
    )
    return proposal


DRAFT_FIELDS = (
    "title",
    "pact_type",
    "commons",
    "objectives",
    "activities",
    "support_requested",
    "support_notes",
    "requested_duration_months",
    "start_date",
    "end_date",
)


def _ensure_co_design(proposal: Proposal, *, what: str) -> None:
    if not is_tagged(proposal, "co_design"):
        raise DomainError(_("%(what)s can only be recorded during co-design.", what=what))


def record_meeting(
    proposal: Proposal,
    *,
    actor: User,
    held_on: date,
    attendees: str = "",
    minutes: str = "",
    minutes_file=None,
    now: datetime | None = None,
) -> CoDesignMeeting:
    """Record a co-design meeting and its minutes (``now``: when recorded, default now).

    ``minutes_file`` is an upload (purpose "minutes") of this proposal, stored with
    ``commons.uploads.operations.save_upload``; it is linked to the meeting and its SHA-256
    goes into the audit event.
    """
    _ensure_co_design(proposal, what=_("A meeting"))
    if held_on is None:
        raise DomainError(_("Enter the date of the meeting."), field="held_on")
    for name, value, limit in (
        ("attendees", attendees, limits.PARAGRAPH),
        ("minutes", minutes, limits.REPORT),
    ):
        if len(value or "") > limit:
            raise limits.TextTooLong(limits.too_long(limit, len(value)), field=name)
    if minutes_file is not None and (
        minutes_file.proposal_id != proposal.id
        or minutes_file.purpose != "minutes"
        or minutes_file.linked_id is not None
    ):
        raise DomainError(_("This file cannot be attached to the meeting."), "minutes_file")
    meeting = CoDesignMeeting(
        proposal=proposal,
        held_on=held_on,
        attendees=attendees.strip(),
        minutes=minutes.strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(meeting)
    db.session.flush()
    payload = {
        "meeting_id": meeting.id,
        "held_on": held_on.isoformat(),
        "with_minutes": bool(meeting.minutes or minutes_file is not None),
    }
    if minutes_file is not None:
        minutes_file.linked_id = meeting.id
        payload["minutes_file"] = {
            "name": minutes_file.original_name,
            "sha256": minutes_file.sha256,
            "size": minutes_file.size,
        }
    db.session.flush()
    db.session.expire(proposal, ["minutes_files"])
    append_event(
        "meeting_recorded",
        actor=actor,
        actor_role="officer",
        proposal=proposal,
        payload=payload,
        occurred_at=now,
    )
    return meeting


def request_opinion(proposal: Proposal, *, actor: User, department: str) -> TechnicalOpinion:
    """Ask a department for a technical opinion; co-design cannot close until it answers."""
    _ensure_co_design(proposal, what=_("An opinion"))
    department = (department or "").strip()
    if not department:
        raise DomainError(_("Enter the department."), field="department")
    if len(department) > limits.NAME:
        raise limits.TextTooLong(limits.too_long(limits.NAME, len(department)), "department")
    opinion = TechnicalOpinion(
        proposal=proposal, department=department, requested_at=utcnow(), recorded_by_id=actor.id
    )
    db.session.add(opinion)
    db.session.flush()
    append_event(
        "opinion_requested",
        actor=actor,
        actor_role="officer",
        proposal=proposal,
        payload={"opinion_id": opinion.id, "department": department},
    )
    return opinion


def record_opinion(
    opinion: TechnicalOpinion, *, actor: User, positive: bool, text: str
) -> TechnicalOpinion:
    """Record the department's answer: positive or negative, with its text."""
    _ensure_co_design(opinion.proposal, what=_("An opinion"))
    if not (text or "").strip():
        raise DomainError(_("Enter the text of the opinion."), field="text")
    if len(text) > limits.REPORT:
        raise limits.TextTooLong(limits.too_long(limits.REPORT, len(text)), field="text")
    opinion.positive, opinion.text, opinion.given_at = bool(positive), text.strip(), utcnow()
    db.session.flush()
    append_event(
        "opinion_recorded",
        actor=actor,
        actor_role="officer",
        proposal=opinion.proposal,
        payload={
            "opinion_id": opinion.id,
            "department": opinion.department,
            "positive": opinion.positive,
        },
    )
    return opinion


# --- the online application: each step of the guided form saves into the draft --------------

DRAFT_TEXT_LIMITS = {
    "title": limits.NAME,
    "objectives": limits.LONG_TEXT,
    "activities": limits.LONG_TEXT,
    "support_notes": limits.PARAGRAPH,
}


def _ensure_draft(proposal: Proposal) -> None:
    if not proposal.is_draft:
        raise DomainError(_("This proposal was submitted already: it can no longer be changed."))


def update_draft(
    proposal: Proposal, *, actor: User, base_version: int | None, **changes
) -> Proposal:
    """Change some details of a draft: only in ``draft``, only by its representative, only the
    fields of the application (DRAFT_FIELDS and the group), each validated. The web
    application's steps and the API both come here; a ``draft_updated`` event (not public)
    records which fields changed. Made from version ``base_version`` (``lock_version``) of
    the draft: refused (StaleVersion) when someone saved another version meanwhile."""
    _ensure_draft(proposal)
    if proposal.representative_id != actor.id:
        raise DomainError(_("Only the proposal's representative can change the draft."))
    unknown = set(changes) - set(DRAFT_FIELDS) - {"group"}
    if unknown:
        raise DomainError(_("This field cannot be changed."), field=sorted(unknown)[0])
    for name, limit in DRAFT_TEXT_LIMITS.items():
        if name in changes:
            value = changes[name] = (changes[name] or "").strip()
            if name == "title" and not value:
                raise DomainError(_("Enter a title."), field="title")
            if len(value) > limit:
                raise DomainError(_("At most %(n)d characters.", n=limit), field=name)
    duration = changes.get("requested_duration_months")
    if duration is not None and duration <= 0:
        raise DomainError(
            _("The duration must be at least one month."), field="requested_duration_months"
        )
    start = changes.get("start_date", proposal.start_date)
    end = changes.get("end_date", proposal.end_date)
    if start and end and end < start:
        raise DomainError(_("The end date must come after the start date."), field="end_date")
    if "pact_type" in changes:
        changes["pact_type"] = PactType(changes["pact_type"]).value
    if "support_requested" in changes:
        changes["support_requested"] = sorted(
            {Support(s).value for s in changes["support_requested"] or ()}
        )
    group = changes.get("group")
    if group is not None and group.representative_id != actor.id:
        raise DomainError(
            _("Only the group's representative can make a proposal for it."), field="group"
        )
    ensure_base_version(proposal, base_version, changes)
    changed = []
    for key, value in changes.items():
        current = getattr(proposal, key)
        if key == "commons":
            value = list(value or [])
            if {c.id for c in current} == {c.id for c in value}:
                continue
        elif current == value:
            continue
        setattr(proposal, key, value)
        changed.append(key)
    if changed:
        _count_save(proposal)
        db.session.flush()
        append_event(
            "draft_updated",
            actor=actor,
            actor_role="citizen",
            proposal=proposal,
            payload={"fields": sorted(changed)},
            public=False,
        )
    return proposal


def _count_save(proposal: Proposal) -> None:
    """A change of the draft's commons only (a link table) issues no UPDATE of the proposal,
    so the version counter would not move: move it, so a stale tab sees the change."""
    proposal.lock_version = proposal.lock_version + 1


def choose_places(
    proposal: Proposal,
    *,
    base_version: int | None,
    commons: list[Commons],
    new_place_address: str | None = None,
    new_place_latitude=None,
    new_place_longitude=None,
) -> Proposal:
    """The commons the proposal is about: some from the register, and/or a new place; made
    from version ``base_version`` of the draft (refused, StaleVersion, when it moved on)."""
    _ensure_draft(proposal)
    address = (new_place_address or "").strip() or None
    if (new_place_latitude is None) != (new_place_longitude is None):
        raise DomainError(
            _("Give both latitude and longitude, or neither."), field="new_place_latitude"
        )
    if new_place_latitude is not None and not address:
        raise DomainError(
            _("Give the address of the new place as well as its position."),
            field="new_place_address",
        )
    latitude = new_place_latitude if address else None
    longitude = new_place_longitude if address else None
    wanted = {
        "commons": list(commons),
        "new_place_address": address,
        "new_place_latitude": latitude,
        "new_place_longitude": longitude,
    }
    ensure_base_version(proposal, base_version, wanted)
    if not holds(proposal, wanted):
        _count_save(proposal)
    proposal.commons = list(commons)
    proposal.new_place_address = address
    proposal.new_place_latitude = latitude
    proposal.new_place_longitude = longitude
    db.session.flush()
    return proposal
