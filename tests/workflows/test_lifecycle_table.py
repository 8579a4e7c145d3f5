"""Every (state, trigger, role) of each profile, against DOMAIN.md's lifecycle table.

The expected table is written here independently of workflows/profiles/labsus.toml, so the test
proves the profile encodes the regulation. Allowed combinations succeed with their effects;
all others are refused with a clear error and change nothing.

The table is in labsus's state names; each test runs over every profile (fixture ``profile``),
whose states ``S`` gives for those names. A state whose table rows need a transition the
profile lacks is skipped, naming the transitions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import workflows
from commons.audit.models import AuditEvent
from commons.documents.models import PactVersion, Signature
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import Proposal
from tests import factories
from tests.conftest import BACKEND
from tests.workflows.scenario import NOW, Cast, data_for, has_transition, proposal_in, require
from workflows import SYSTEM, fire
from workflows.errors import GuardRefused, NotPermitted, TransitionNotAllowed

# Day-counted deadlines from NOW (1 June) end at 23:59:59 of their last day in Rome (CEST).
END_OF_16_JUNE = datetime(2026, 6, 16, 21, 59, 59, tzinfo=UTC)
END_OF_1_JULY = datetime(2026, 7, 1, 21, 59, 59, tzinfo=UTC)

PRE_ACTIVE = [
    "draft",
    "submitted",
    "under_review",
    "awaiting_integration",
    "public_notice",
    "co_design",
    "political_approval",
    "legal_review",
    "awaiting_signatures",
]

# (trigger, from state) -> {capacity: target}
EXPECTED: dict[tuple[str, str], dict[str, str]] = {
    ("submit", "draft"): {"representative": "submitted"},
    ("take_in_charge", "submitted"): {"officer": "under_review"},
    ("request_integration", "under_review"): {"officer": "awaiting_integration"},
    ("integrate", "awaiting_integration"): {"representative": "under_review"},
    ("archive", "awaiting_integration"): {"system": "archived", "officer": "archived"},
    ("admit", "under_review"): {"officer": "public_notice"},
    ("close_notice", "public_notice"): {"system": "co_design", "officer": "co_design"},
    ("agree_draft", "co_design"): {"officer": "legal_review"},  # ordinary pact
    ("record_deliberation", "political_approval"): {"legal": "legal_review"},
    ("return_to_co_design", "legal_review"): {"legal": "co_design"},
    ("approve", "legal_review"): {"legal": "awaiting_signatures"},
    ("sign", "awaiting_signatures"): {"representative": "awaiting_signatures", "legal": "active"},
    ("file_report", "active"): {"representative": "active"},
    ("file_report", "renewal_review"): {"representative": "renewal_review"},
    ("file_report", "renewal_granted"): {"representative": "renewal_granted"},
    ("suspend", "active"): {"legal": "suspended"},
    ("resume", "suspended"): {"legal": "active"},
    ("extend", "active"): {"legal": "active"},
    ("open_renewal", "active"): {"system": "renewal_review", "representative": "renewal_review"},
    # Renewal keeps the old pact in force; it hands over once its term is over and the
    # successor is signed.
    ("renew", "renewal_review"): {"legal": "renewal_granted"},
    ("complete_renewal", "renewal_granted"): {"system": "renewed"},
    ("expire", "active"): {"system": "expired"},
    ("expire", "renewal_review"): {"system": "expired"},
    ("expire", "renewal_granted"): {"system": "expired"},  # the successor was not signed
    ("reject", "under_review"): {"officer": "rejected"},
    # A call's admitting act (commons/calls): into co-design, or told why not.
    **{("admit_by_call", s): {"officer": "co_design"} for s in ("submitted", "under_review")},
    **{("refuse_by_call", s): {"officer": "rejected"} for s in ("submitted", "under_review")},
    **{
        ("reject", s): {"legal": "rejected"}
        for s in ("public_notice", "co_design", "political_approval", "legal_review")
    },
    **{("withdraw", s): {"representative": "withdrawn"} for s in PRE_ACTIVE},
    # From an active pact, withdrawal takes effect after the notice period (then the clock
    # fires complete_withdrawal).
    ("withdraw", "active"): {"representative": "active"},
    ("complete_withdrawal", "active"): {"system": "withdrawn"},
    **{("revoke", s): {"legal": "revoked"} for s in ("active", "suspended")},
    **{("terminate", s): {"legal": "terminated"} for s in ("active", "suspended")},
}

CAPACITIES = ["representative", "member", "officer", "legal", "auditor", "admin", "system"]


def _actor(cast: Cast, capacity: str):
    return SYSTEM if capacity == "system" else getattr(cast, capacity)


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def _table(S) -> dict[tuple[str, str], dict[str, str]]:
    """EXPECTED in the profile's state names, for the rows whose states it has."""
    return {
        (trigger, S[source]): {capacity: S[target] for capacity, target in allowed.items()}
        for (trigger, source), allowed in EXPECTED.items()
        if source in S and all(target in S for target in allowed.values())
    }


def _lacking(profile, S, state: str) -> list[str]:
    """The table's transitions from labsus's ``state`` that ``profile`` does not have."""
    return [
        f"{trigger}: {state} -> {target} ({capacity})"
        for (trigger, source), allowed in EXPECTED.items()
        if source == state
        for capacity, target in allowed.items()
        if not has_transition(profile, S, trigger, source, target)
    ]


def _prepare(p: Proposal, trigger: str, S) -> None:
    """Satisfy the time-based guards of the trigger about to be tried."""
    if trigger in ("expire", "complete_renewal"):
        p.end_date = (NOW - timedelta(days=2)).date()
    if trigger == "complete_renewal":
        successor = factories.proposal(p.group)
        successor.predecessor_id, successor.status = p.id, S["active"]
    if trigger == "complete_withdrawal":
        p.withdrawal_effective_on = (NOW - timedelta(days=1)).date()
    if trigger in ("admit_by_call", "refuse_by_call"):
        _ranked_by_a_call(p, admitted=trigger == "admit_by_call")
    db.session.commit()


def _ranked_by_a_call(p: Proposal, *, admitted: bool) -> None:
    """``p`` answered a call whose batch's act is recorded, and was ranked admitted or not."""
    from commons.calls.models import Call, CallApplication, CallBatch

    call = Call(reference=f"CALL-{p.id}", title="A call")
    batch = CallBatch(
        call=call,
        label="Round 1",
        deadline=NOW - timedelta(days=5),
        ranked_at=NOW - timedelta(days=4),
        act_number="DG 3/2026",
    )
    outcome = "admitted" if admitted else "below_threshold"
    db.session.add(CallApplication(call=call, batch=batch, proposal=p, outcome=outcome))


def _check_effects(trigger: str, p: Proposal, cast: Cast, S) -> None:
    """The visible effects of each trigger, beyond the state change."""
    if trigger == "submit":
        assert p.protocol_number and p.review_started_at == NOW
    elif trigger == "take_in_charge":
        assert p.case_officer_id == cast.officer.id
    elif trigger == "request_integration":
        assert p.review_paused_at == NOW and p.integration_due_at == END_OF_1_JULY
    elif trigger == "integrate":
        assert p.review_paused_at is None and p.review_paused_seconds > 0
    elif trigger in ("admit_by_call", "refuse_by_call"):
        assert p.review_stopped_at == NOW
    elif trigger == "admit":
        assert p.notice_ends_at == END_OF_16_JUNE and p.review_stopped_at == NOW
    elif trigger == "record_deliberation":
        assert p.deliberation_number == "DG 12/2026"
    elif trigger == "approve":
        assert p.decision_number == "DD 77/2026"
        assert (
            db.session.scalar(select(PactVersion.frozen_at).where(PactVersion.proposal_id == p.id))
            is not None
        )
    elif trigger == "sign":
        assert (
            db.session.scalar(
                select(func.count()).select_from(Signature).where(Signature.proposal_id == p.id)
            )
            >= 1
        )
        if p.status == S["active"]:
            assert p.next_report_due_on is not None
            assert all(c.availability == "in_pact" for c in p.commons)
    elif trigger == "file_report":
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(MonitoringReport)
                .where(MonitoringReport.proposal_id == p.id)
            )
            >= 1
        )
    elif trigger == "extend":
        assert p.end_date.isoformat() == "2028-12-31"
    elif trigger == "renew":
        successor = db.session.scalar(select(Proposal).where(Proposal.predecessor_id == p.id))
        assert successor.status == S["co_design"] and successor.title == p.title
        assert successor.protocol_number and successor.protocol_number != p.protocol_number
        assert successor.start_date == p.end_date + timedelta(days=1)
    elif trigger == "withdraw" and p.status == S["active"]:
        assert p.withdrawal_effective_on == (NOW + timedelta(days=30)).date()


def _try(p: Proposal, trigger: str, cast: Cast, capacity: str):
    actor = _actor(cast, capacity)
    return fire(p, trigger, actor, now=NOW, **data_for(trigger, actor))


# The whole table (every trigger by every role from every state) runs on SQLite. It asks the
# engine's rules, which read the profile the same way on both databases; on PostgreSQL the
# writes they lead to are those of the journeys, the races and the stateful test, which run
# there, and the table's few targeted tests below run there too.
@pytest.mark.skipif(BACKEND == "postgresql", reason="the whole table runs in the SQLite pass")
@pytest.mark.parametrize("labsus_state", workflows.get_profile("labsus").states)
def test_every_trigger_and_role_from(labsus_state, app, profile, S):
    lacking = _lacking(profile, S, labsus_state)
    if lacking:
        pytest.skip(f"profile {profile.name} has no transition {', '.join(lacking)}")
    if labsus_state not in S:
        pytest.skip(f"profile {profile.name} has no state like {labsus_state} (no table row)")
    state, expected = S[labsus_state], _table(S)
    cast = Cast()
    pact_type = "complex" if labsus_state == "political_approval" else "ordinary"
    shared = proposal_in(labsus_state, cast, pact_type=pact_type)
    for trigger in profile.triggers:
        for capacity in CAPACITIES:
            target = expected.get((trigger, state), {}).get(capacity)
            if target is None:
                before_events, before_version = _events(), shared.lock_version
                # A savepoint: its rollback expires only what the refused attempt changed
                # (a whole rollback reloaded the cast and the proposal, row by row, 200 times
                # a state), and whatever it changed is read back from the database.
                with (
                    pytest.raises((NotPermitted, TransitionNotAllowed)) as refused,
                    db.session.begin_nested(),
                ):
                    _try(shared, trigger, cast, capacity)
                assert refused.value.message, (trigger, capacity)
                assert shared.status == state and shared.lock_version == before_version
                assert _events() == before_events, (trigger, capacity)
                continue
            p = proposal_in(labsus_state, cast, pact_type=pact_type, for_signer=capacity)
            _prepare(p, trigger, S)
            event = _try(p, trigger, cast, capacity)
            db.session.commit()
            assert p.status == target, (trigger, capacity)
            assert (event.trigger, event.from_state, event.to_state) == (trigger, state, target)
            assert event.actor_role == capacity
            _check_effects(trigger, p, cast, S)
    # Every allowed combination of this state was exercised above.
    assert {k[0] for k in EXPECTED if k[1] == labsus_state} <= set(profile.triggers)


def test_complex_pacts_go_to_council_deliberation(app, profile, S):
    require(profile, S, ("agree_draft", "co_design", "political_approval"))
    cast = Cast()
    p = proposal_in("co_design", cast, pact_type="complex")
    fire(p, "agree_draft", cast.officer, now=NOW)
    assert p.status == S["political_approval"]
    assert p.deliberation_due_at == END_OF_1_JULY


def test_profile_has_no_transition_the_table_lacks(profile, S):
    labsus_name = {theirs: ours for ours, theirs in S.items()}
    for spec in profile.transitions:
        for source in spec.sources:
            assert source in labsus_name, (spec.trigger, source)
            allowed = EXPECTED.get((spec.trigger, labsus_name[source]))
            assert allowed is not None, (spec.trigger, source)
            assert set(spec.roles) == set(allowed), (spec.trigger, source)


def test_guard_refusal_names_rule_and_changes_nothing(app, profile, S):
    require(profile, S, ("sign", "awaiting_signatures"))
    cast = Cast()
    p = proposal_in("awaiting_signatures", cast)
    events = _events()
    with pytest.raises(GuardRefused) as refused:
        fire(p, "sign", cast.legal, now=NOW, **data_for("sign", cast.legal))
    assert refused.value.rule == "signer_in_order"
    assert "representative signs next" in refused.value.message
    db.session.rollback()
    assert p.status == S["awaiting_signatures"] and _events() == events
