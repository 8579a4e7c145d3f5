"""``make.proposal(state=...)`` brings a proposal to a state through the engine."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.audit.operations import verify_chain
from commons.auth.passwords import password_problem
from commons.documents.models import Signature
from commons.extensions import db
from tests.factories import PASSWORD


def _triggers(proposal) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.trigger)
            .where(AuditEvent.proposal_id == proposal.id, AuditEvent.to_state.is_not(None))
            .order_by(AuditEvent.seq)
        )
    )


def test_a_proposal_in_co_design_was_fired_there_step_by_step(app, make):
    proposal = make.proposal(state="co_design")
    assert proposal.status == "co_design"
    assert _triggers(proposal) == ["created", "submit", "take_in_charge", "admit", "close_notice"]
    assert proposal.protocol_number and proposal.case_officer_id
    assert verify_chain().ok


def test_an_active_pact_is_signed_by_both_parties(app, make):
    proposal = make.proposal(state="active")
    assert proposal.status == "active"
    roles = db.session.scalars(
        select(Signature.signer_role).where(Signature.proposal_id == proposal.id)
    )
    assert set(roles) == {"representative", "legal"}
    assert _triggers(proposal)[-5:] == ["agree_draft", "approve", "sign", "sign", "file_report"]


def test_a_draft_is_made_without_the_engine(app, make):
    proposal = make.proposal()
    assert proposal.status == "draft" and _triggers(proposal) == ["created"]


def test_an_unknown_state_is_refused_naming_the_known_ones(app, make):
    with pytest.raises(ValueError, match="known states: draft, active"):
        make.proposal(state="sleeping")


def test_the_factories_password_passes_the_strength_rule(app, make):
    """The factories make accounts without asking the strength rule; their password passes it."""
    person = make.user()
    assert password_problem(PASSWORD, email=person.email, full_name=person.full_name) is None
    assert password_problem("password123", email=person.email) is not None
