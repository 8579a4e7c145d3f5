"""Proposals travel the whole lifecycle through workflows.fire, with their effects.

Each test runs over every profile (fixture ``profile``; states by their labsus names through
``S``); one that needs a transition a profile lacks is skipped, naming it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

import workflows
from commons.audit.models import AuditEvent
from commons.auth.models import Role
from commons.documents import operations as documents
from commons.documents.models import Signature
from commons.extensions import db
from commons.proposals import operations as proposals
from commons.registry.models import Commons
from tests.factories import PASSWORD
from tests.workflows.scenario import require, state_map
from workflows import SYSTEM, GuardRefused, TransitionNotAllowed, fire
from workflows.errors import NotPermitted

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(make):
    return {
        "officer": make.user(Role.OFFICER, name="Olga Officer"),
        "legal": make.user(Role.LEGAL, name="Leo Legal"),
        "citizen": make.user(Role.CITIZEN, name="Carla Citizen"),
    }


def go(proposal, trigger, actor, at, **data):
    event = fire(proposal, trigger, actor, now=at, **data)
    db.session.commit()
    return event


def test_ordinary_pact_from_submission_to_active_and_report(app, make, people, profile, S):
    require(
        profile,
        S,
        ("submit", "draft", "submitted"),
        ("take_in_charge", "submitted", "under_review"),
        ("admit", "under_review", "public_notice"),
        ("close_notice", "public_notice", "co_design"),
        ("agree_draft", "co_design", "legal_review"),
        ("approve", "legal_review", "awaiting_signatures"),
        ("sign", "awaiting_signatures", "awaiting_signatures"),
        ("sign", "awaiting_signatures", "active"),
        ("file_report", "active", "active"),
    )
    group = make.group(people["citizen"])
    p = make.proposal(group)
    go(p, "submit", people["citizen"], T0)
    assert p.status == S["submitted"] and p.protocol_number == "2026/000001"
    go(p, "take_in_charge", people["officer"], T0 + timedelta(days=1))
    assert p.case_officer_id == people["officer"].id
    go(p, "admit", people["officer"], T0 + timedelta(days=5))
    assert p.status == S["public_notice"]
    # Admitted on 7 March: 15 days, to the end of 22 March in Rome (23:59:59 CET).
    assert p.notice_ends_at == datetime(2026, 3, 22, 22, 59, 59, tzinfo=UTC)
    with pytest.raises(GuardRefused, match="has not ended"):
        fire(p, "close_notice", SYSTEM, now=T0 + timedelta(days=10))
    go(p, "close_notice", SYSTEM, T0 + timedelta(days=21))
    assert p.status == S["co_design"]
    with pytest.raises(GuardRefused, match="no draft"):
        fire(p, "agree_draft", people["officer"], now=T0 + timedelta(days=22))
    documents.save_version(p, author=people["officer"])
    db.session.commit()
    go(p, "agree_draft", people["officer"], T0 + timedelta(days=25))
    assert p.status == S["legal_review"]
    go(
        p,
        "approve",
        people["legal"],
        T0 + timedelta(days=30),
        act_number="DD 123/2026",
        act_date="2026-03-30",
    )
    assert p.status == S["awaiting_signatures"] and p.decision_number == "DD 123/2026"
    sign = {"full_name": "Leo Legal", "consent": "y", "password": PASSWORD}
    with pytest.raises(GuardRefused, match="not your turn"):
        fire(p, "sign", people["legal"], now=T0 + timedelta(days=31), **sign)
    go(
        p,
        "sign",
        people["citizen"],
        T0 + timedelta(days=31),
        full_name="carla  citizen",
        consent="y",
        password=PASSWORD,
    )
    assert p.status == S["awaiting_signatures"]
    go(p, "sign", people["legal"], T0 + timedelta(days=32), **sign)
    assert p.status == S["active"]
    signatures = db.session.scalars(select(Signature).order_by(Signature.id)).all()
    assert [s.signer_role for s in signatures] == ["representative", "legal"]
    assert len({s.document_hash for s in signatures}) == 1
    assert all(c.availability == "in_pact" for c in p.commons)
    assert p.next_report_due_on == date(2026, 10, 3)
    go(
        p,
        "file_report",
        people["citizen"],
        T0 + timedelta(days=120),
        report_text="We cleaned the park 4 times.",
        participants="12",
        volunteer_hours="40",
    )
    assert p.next_report_due_on == date(2026, 12, 30)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.proposal_id == p.id).order_by(AuditEvent.seq)
    ).all()
    lifecycle = [e.trigger for e in events if e.from_state]
    assert lifecycle == [
        "submit",
        "take_in_charge",
        "admit",
        "close_notice",
        "agree_draft",
        "approve",
        "sign",
        "sign",
        "file_report",
    ]
    approve = next(e for e in events if e.trigger == "approve")
    assert approve.payload["act_number"] == "DD 123/2026" and approve.payload["pact_version_hash"]
    sign_event = next(e for e in events if e.trigger == "sign")
    assert "password" not in sign_event.payload


def test_complex_pact_needs_meeting_and_deliberation(app, make, people, profile, S):
    require(
        profile,
        S,
        ("submit", "draft", "submitted"),
        ("take_in_charge", "submitted", "under_review"),
        ("admit", "under_review", "public_notice"),
        ("close_notice", "public_notice", "co_design"),
        ("agree_draft", "co_design", "political_approval"),
        ("record_deliberation", "political_approval", "legal_review"),
    )
    p = make.proposal(make.group(people["citizen"]), pact_type="complex")
    go(p, "submit", people["citizen"], T0)
    go(p, "take_in_charge", people["officer"], T0)
    go(p, "admit", people["officer"], T0)
    # 30 days from 2 March: the end of 1 April in Rome (23:59:59 CEST).
    assert p.notice_ends_at == datetime(2026, 4, 1, 21, 59, 59, tzinfo=UTC)
    with pytest.raises(GuardRefused, match="has not ended"):
        fire(p, "close_notice", people["officer"], now=T0 + timedelta(days=30))
    go(p, "close_notice", people["officer"], T0 + timedelta(days=31))
    documents.save_version(p, author=people["officer"])
    opinion = proposals.request_opinion(p, actor=people["officer"], department="Heritage")
    db.session.commit()
    with pytest.raises(GuardRefused, match="co-design meeting"):
        fire(p, "agree_draft", people["officer"], now=T0 + timedelta(days=31))
    proposals.record_meeting(
        p,
        actor=people["officer"],
        held_on=date(2026, 4, 2),
        attendees="Office, group",
        minutes="Agreed the activities.",
    )
    db.session.commit()
    with pytest.raises(GuardRefused, match="Heritage"):
        fire(p, "agree_draft", people["officer"], now=T0 + timedelta(days=31))
    proposals.record_opinion(opinion, actor=people["officer"], positive=True, text="Fine.")
    db.session.commit()
    go(p, "agree_draft", people["officer"], T0 + timedelta(days=32))
    assert p.status == S["political_approval"]
    assert p.deliberation_due_at == datetime(2026, 5, 3, 21, 59, 59, tzinfo=UTC)
    with pytest.raises(GuardRefused) as refused:
        fire(p, "record_deliberation", people["legal"], now=T0 + timedelta(days=40))
    assert set(refused.value.fields) == {"deliberation_number", "deliberation_date"}
    go(
        p,
        "record_deliberation",
        people["legal"],
        T0 + timedelta(days=40),
        deliberation_number="DG 45/2026",
        deliberation_date="2026-04-10",
    )
    assert p.status == S["legal_review"] and p.deliberation_due_at is None


def test_integration_pauses_review_clock(app, make, people, profile, S):
    from workflows.clocks import review_elapsed

    require(
        profile,
        S,
        ("submit", "draft", "submitted"),
        ("take_in_charge", "submitted", "under_review"),
        ("request_integration", "under_review", "awaiting_integration"),
        ("integrate", "awaiting_integration", "under_review"),
        ("admit", "under_review"),
    )

    p = make.proposal(make.group(people["citizen"]))
    go(p, "submit", people["citizen"], T0)
    go(p, "take_in_charge", people["officer"], T0 + timedelta(days=2))
    with pytest.raises(GuardRefused):
        fire(p, "request_integration", people["officer"], now=T0)
    go(
        p,
        "request_integration",
        people["officer"],
        T0 + timedelta(days=4),
        message="Please attach the statute.",
    )
    assert p.integration_due_at == datetime(2026, 4, 5, 21, 59, 59, tzinfo=UTC)
    assert review_elapsed(p, T0 + timedelta(days=20)) == timedelta(days=4)
    go(p, "integrate", people["citizen"], T0 + timedelta(days=14), answer="Attached.")
    assert review_elapsed(p, T0 + timedelta(days=20)) == timedelta(days=10)
    go(p, "admit", people["officer"], T0 + timedelta(days=21))
    assert review_elapsed(p, T0 + timedelta(days=90)) == timedelta(days=11)


def test_refusals_change_nothing(app, make, people, profile, S):
    p = make.proposal(make.group(people["citizen"]))
    before = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
    with pytest.raises(NotPermitted):
        fire(p, "submit", people["officer"], now=T0)
    with pytest.raises(TransitionNotAllowed):
        fire(p, "admit", people["officer"], now=T0)
    db.session.rollback()
    assert p.status == S["draft"] and p.protocol_number is None
    after = db.session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
    assert before == after


def test_submit_guards_say_what_is_missing(app, make, people, profile):
    group = make.group(people["citizen"])
    p = make.proposal(group, commons=[], objectives="", requested_duration_months=60)
    with pytest.raises(GuardRefused, match="objectives"):
        fire(p, "submit", people["citizen"], now=T0)
    p.objectives = "Clean"
    with pytest.raises(GuardRefused, match="at least one commons"):
        fire(p, "submit", people["citizen"], now=T0)
    p.commons = (
        [db.session.scalar(select(Commons))]
        if db.session.scalar(select(Commons))
        else [__import__("tests.factories", fromlist=["commons"]).commons()]
    )
    with pytest.raises(GuardRefused, match="maximum term of 48 months"):
        fire(p, "submit", people["citizen"], now=T0)


def test_simplified_profile_and_proposals_keep_their_profile(app, make, people, profile, S):
    require(profile, S, ("admit", "under_review", "public_notice"))
    simplified = state_map(workflows.get_profile("simplified"))
    app.config["PROFILE"] = "simplified"
    p = make.proposal(make.group(people["citizen"]))
    app.config["PROFILE"] = profile.name
    older = make.proposal(make.group(people["citizen"]))
    assert (p.profile, older.profile) == ("simplified", profile.name)
    for proposal in (p, older):
        go(proposal, "submit", people["citizen"], T0)
        go(proposal, "take_in_charge", people["officer"], T0)
        go(proposal, "admit", people["officer"], T0)
    # The simplified regulation has no public notice: straight to co-design.
    assert (p.status, older.status) == (simplified["co_design"], S["public_notice"])
