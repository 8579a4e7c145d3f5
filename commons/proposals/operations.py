"""Operations on proposals. Status changes go through ``workflows.fire`` only."""

from __future__ import annotations

from datetime import date

from flask import current_app
from flask_babel import gettext as _

from commons.audit.operations import append_event
from commons.auth.models import ProponentGroup, User
from commons.errors import DomainError
from commons.extensions import db
from commons.proposals.models import PactType, Proposal, Support
from commons.registry.models import Commons


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
) -> Proposal:
    """Start a proposal in ``draft`` for a group the user represents."""
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
        status="draft",
        profile=current_app.config["PROFILE"],
    )
    db.session.add(proposal)
    db.session.flush()
    append_event(
        "created",
        actor=representative,
        actor_role="citizen",
        proposal=proposal,
        to_state="draft",
        payload={"title": title},
        public=False,
    )
    return proposal
