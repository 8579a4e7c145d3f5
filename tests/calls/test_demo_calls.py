"""The demo city's calls: one being evaluated, one ranked and admitted, and a rolling one whose
first batch was admitted by its own act while the next is being evaluated; dated coherently."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.calls.models import Call, CallApplication, CallStatus, Outcome
from commons.extensions import db
from commons.formatting import city_day
from commons.lifecycle.states import is_tagged


def _applications(call) -> list[CallApplication]:
    return db.session.scalars(
        select(CallApplication).where(CallApplication.call_id == call.id)
    ).all()


def _admissions_follow_their_act(applications) -> None:
    """Each ranked proposal's admission or refusal comes after its batch's act, which comes
    after the batch's deadline and ranking and after the proposal's submission."""
    for application in applications:
        proposal, batch = application.proposal, application.batch
        assert is_tagged(proposal, "co_design") == (application.outcome == Outcome.ADMITTED)
        decided = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.proposal_id == proposal.id,
                AuditEvent.trigger.in_(["admit_by_call", "refuse_by_call"]),
            )
        )
        assert decided.payload["act_number"] == batch.act_number
        assert batch.act_date < city_day(decided.occurred_at)
        assert city_day(batch.deadline) <= city_day(batch.ranked_at) <= batch.act_date
        assert proposal.submitted_at < batch.deadline
        assert city_day(proposal.submitted_at) < batch.act_date


@pytest.mark.xdist_group("demo")
def test_the_demo_has_a_call_in_evaluation_and_one_admitted_after_its_act(demo_app):
    calls = {c.reference: c for c in db.session.scalars(select(Call))}
    assert calls["CASE-QUARTIERE-2027"].status == CallStatus.EVALUATING
    admitted = calls["CO-CITY-2026"]
    assert admitted.status == CallStatus.ADMITTED and admitted.results_public
    applications = _applications(admitted)
    outcomes = {a.proposal.title: a.outcome for a in applications}
    assert sorted(outcomes.values()) == sorted(
        [Outcome.ADMITTED, Outcome.ADMITTED, Outcome.BELOW_THRESHOLD]
    )
    (batch,) = admitted.batches
    assert (admitted.act_number, admitted.act_date) == (batch.act_number, batch.act_date)
    _admissions_follow_their_act(applications)


@pytest.mark.xdist_group("demo")
def test_the_demo_rolling_call_admitted_its_first_batch_and_evaluates_the_next(demo_app):
    call = db.session.scalar(select(Call).where(Call.reference == "CURA-SPAZI-2026"))
    first, second, third = call.batches
    assert call.status == CallStatus.OPEN and call.act_number is None
    assert first.act_number == "DG 131/2026" and first.ranked_at is not None
    assert second.in_evaluation and second.ranked_at is None and second.act_number is None
    assert third.closed_at is None  # its deadline is to come
    by_batch: dict[int, list[CallApplication]] = {}
    for application in _applications(call):
        by_batch.setdefault(application.batch_id, []).append(application)
    assert sorted(a.outcome for a in by_batch[first.id]) == [
        Outcome.ADMITTED,
        Outcome.BELOW_THRESHOLD,
    ]
    _admissions_follow_their_act(by_batch[first.id])
    assert all(a.outcome is None and a.rank is None for a in by_batch[second.id])
    assert first.act_date < city_day(second.deadline)
    # The public page shows the first batch's results only.
    page = demo_app.test_client().get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Results of Deadline 1" in page and "DG 131/2026" in page
    assert "Cura del giardino Lombardo Radice" in page
    assert "Results of Deadline 2" not in page and "Aiuole fiorite" not in page
