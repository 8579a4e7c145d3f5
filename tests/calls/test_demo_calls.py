"""The demo city's calls: one being evaluated, one ranked and admitted, dated coherently."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.calls.models import Call, CallApplication, CallStatus, Outcome
from commons.extensions import db
from commons.formatting import city_day
from commons.lifecycle.states import is_tagged


@pytest.mark.xdist_group("demo")
def test_the_demo_has_a_call_in_evaluation_and_one_admitted_after_its_act(demo_app):
    calls = {c.reference: c for c in db.session.scalars(select(Call))}
    assert calls["CASE-QUARTIERE-2027"].status == CallStatus.EVALUATING
    admitted = calls["CO-CITY-2026"]
    assert admitted.status == CallStatus.ADMITTED and admitted.results_public
    applications = db.session.scalars(
        select(CallApplication).where(CallApplication.call_id == admitted.id)
    ).all()
    outcomes = {a.proposal.title: a.outcome for a in applications}
    assert sorted(outcomes.values()) == sorted(
        [Outcome.ADMITTED, Outcome.ADMITTED, Outcome.BELOW_THRESHOLD]
    )
    for application in applications:
        proposal = application.proposal
        assert is_tagged(proposal, "co_design") == (application.outcome == Outcome.ADMITTED)
        decided = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.proposal_id == proposal.id,
                AuditEvent.trigger.in_(["admit_by_call", "refuse_by_call"]),
            )
        )
        # The act is dated before the admissions it makes, after the submissions.
        assert admitted.act_date < city_day(decided.occurred_at)
        assert proposal.submitted_at < application.batch.deadline
        assert city_day(proposal.submitted_at) < admitted.act_date
