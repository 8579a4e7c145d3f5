"""A call from publication to the admitting act (issue 17, "Done when")."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

import workflows
from commons.audit.operations import verify_chain
from commons.calls import evaluation
from commons.calls import operations as call_ops
from commons.calls.models import CallStatus, Outcome
from commons.extensions import db
from commons.lifecycle.states import is_tagged
from commons.notifications.models import Notification
from tests.calls.conftest import NOW, PAST_OPENED
from workflows.errors import GuardRefused


def _apply(make, call, title, *, partners=(), kind="association", now=NOW):
    group = make.group(kind=kind)
    application = call_ops.apply_to_call(
        call,
        representative=group.representative,
        group=group,
        title=title,
        theme="culture",
        commons_ids=[call.offers[0].commons_id],
        partners=list(partners),
        answers={"hours": "20"},
        no_advantage=True,
        now=now,
        objectives="Open the building to the neighbourhood.",
        activities="Workshops and concerts.",
        requested_duration_months=24,
    )
    db.session.commit()
    return application


def _submit(application, now):
    proposal = application.proposal
    workflows.fire(proposal, "submit", proposal.representative, now=now)
    db.session.commit()


def _grid(call, *points, reason="As the grid says."):
    return {c.id: (p, reason) for c, p in zip(call.criteria, points, strict=True)}


def test_a_call_from_publication_to_the_admitting_act(app, client, make, panel, past_call):
    chair, first, second = panel
    call = past_call
    assert len(call.offers) == 2 and len(call.criteria) == 3 and call.max_total == 100
    applied = PAST_OPENED + timedelta(days=1)
    alone = _apply(make, call, "Music school", now=applied)
    consortium = _apply(
        make,
        call,
        "Neighbourhood house",
        partners=[{"name": "Friends of the park", "kind": "informal_group"}],
        now=applied,
    )
    weak = _apply(make, call, "Storage room", now=applied)
    late = _apply(make, call, "Late idea", now=applied)
    assert consortium.group_count == 2
    assert alone.proposal.commons == [call.offers[0].commons]
    for application in (alone, consortium, weak):
        _submit(application, applied + timedelta(minutes=5))

    # After the first deadline the late one is refused, naming the next deadline.
    with pytest.raises(GuardRefused) as refused:
        _submit(late, call.batches[0].deadline + timedelta(minutes=1))
    db.session.rollback()
    assert "First round" in refused.value.message and "Second round" in refused.value.message

    later = call.batches[-1].deadline + timedelta(minutes=1)
    call_ops.close_batches(call, now=later)
    assert call.status == CallStatus.CLOSED
    call_ops.start_evaluation(call, actor=chair, now=later)
    db.session.commit()

    # Two evaluators score blind: neither sees the other's points before submitting.
    points = {
        alone: ((30, 35, 20), (34, 35, 24)),
        consortium: ((36, 30, 40), (30, 30, 30)),
        weak: ((10, 10, 10), (12, 8, 10)),
    }
    for application, (by_first, by_second) in points.items():
        for evaluator, given in ((first, by_first), (second, by_second)):
            review = evaluation.declare(application, evaluator=evaluator, no_conflict=True)
            evaluation.save_scores(review, _grid(call, *given), submit=False)
            others = evaluation.reviews_visible_to(application, evaluator)
            assert [r.evaluator_id for r in others] == [evaluator.id]
            evaluation.save_scores(review, _grid(call, *given), submit=True)
        db.session.commit()
        assert len(evaluation.reviews_visible_to(application, first)) == 2

    # The chair sees where they diverge, and records the consensus.
    rows = evaluation.divergences(consortium)
    assert [r["diverges"] for r in rows] == [False, False, True]
    evaluation.record_consensus(alone, _grid(call, 32, 35, 22), chair=chair)
    evaluation.record_consensus(consortium, _grid(call, 33, 30, 36), chair=chair)
    evaluation.record_consensus(weak, _grid(call, 11, 9, 10, reason="Too vague."), chair=chair)
    ranking = evaluation.rank(call, chair=chair, now=later)
    db.session.commit()
    assert [a.proposal.title for a in ranking] == [
        "Neighbourhood house",
        "Music school",
        "Storage room",
    ]
    assert [a.total for a in ranking] == [81, 78, 25]
    assert [a.outcome for a in ranking] == [
        Outcome.ADMITTED,
        Outcome.ADMITTED,
        Outcome.BELOW_THRESHOLD,
    ]

    # The act admits two into co-design and tells the third why, with its scores.
    with pytest.raises(Exception, match="after the admissions"):
        evaluation.record_act(
            call,
            actor=chair,
            number="DG 12/2026",
            act_date=later.date() + timedelta(days=3),
            now=later,
        )
    db.session.rollback()
    evaluation.record_act(call, actor=chair, number="DG 12/2026", act_date=later.date(), now=later)
    db.session.commit()
    assert call.status == CallStatus.ADMITTED and call.results_public
    assert is_tagged(alone.proposal, "co_design") and is_tagged(consortium.proposal, "co_design")
    assert not is_tagged(weak.proposal, "co_design") and weak.proposal.status in (
        workflows.get_profile(weak.proposal.profile).terminal
    )
    told = db.session.query(Notification).filter_by(
        proposal_id=weak.proposal_id, kind="not_admitted_by_call"
    )
    (note,) = told.all()
    assert "Too vague." in note.body and "11/40" in note.body

    # The public page and the open data show the ranking, with the scores and reasons.
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert page.index("Neighbourhood house") < page.index("Music school") < page.index("Too vague")
    scores = list(csv.DictReader(io.StringIO(client.get("/open-data/call-scores.csv").text)))
    assert [
        (r["rank"], r["points"]) for r in scores if r["proposal_id"] == str(weak.proposal_id)
    ] == [
        ("3", "11"),
        ("3", "9"),
        ("3", "10"),
    ]
    calls = list(csv.DictReader(io.StringIO(client.get("/open-data/calls.csv").text)))
    assert calls[0]["act_number"] == "DG 12/2026"
    assert verify_chain().ok
