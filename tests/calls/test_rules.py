"""Focused rules of calls: the call file's messages, eligibility, blindness, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commons.auth.models import Role
from commons.auth.permissions import can
from commons.calls import callfile, evaluation
from commons.calls import operations as call_ops
from commons.calls.models import CallStatus
from commons.errors import DomainError, PermissionDenied
from commons.extensions import db
from tests.calls.conftest import NOW, call_text


def test_a_call_file_names_every_problem_with_its_key():
    text = call_text([1, 2], "c@x.org", ["e@x.org"]).replace("max_points = 40", "max_points = 0")
    with pytest.raises(callfile.CallFileError) as error:
        callfile.parse("surprise = 1\n" + text, name="call.toml")
    problems = "\n".join(error.value.problems)
    assert "call.toml: surprise: unknown key" in problems
    assert "criteria[1].max_points: a whole number above 0 is required" in problems
    assert len(error.value.problems) == 4  # surprise, and the three criteria


def test_a_rolling_call_gets_one_deadline_every_n_months():
    text = call_text([1, 2], "c@x.org", ["e@x.org"])
    text = text.split("[[batches]]")[0] + (
        '[rolling]\nfirst_deadline = 2026-01-31\nevery_months = 2\ncount = 3\nlabel = "Round"\n'
        + "[[criteria]]"
        + text.split("[[criteria]]", 1)[1]
    )
    data = callfile.parse(text)
    assert [(b["label"], b["deadline"].date().isoformat()) for b in data.batches] == [
        ("Round 1", "2026-01-31"),
        ("Round 2", "2026-03-31"),
        ("Round 3", "2026-05-31"),
    ]


def test_an_exported_call_loads_again_as_the_next_call(app, open_call):
    text = callfile.dump(open_call).replace(open_call.reference, "NEXT-2027")
    call = call_ops.load_call(callfile.parse(text))
    assert call.status == CallStatus.DRAFT
    assert [c.key for c in call.criteria] == [c.key for c in open_call.criteria]
    assert [o.commons_id for o in call.offers] == [o.commons_id for o in open_call.offers]
    assert [b.deadline for b in call.batches] == [b.deadline for b in open_call.batches]
    assert call.offers[0].condition == "Roof repaired in 2024"


def test_applying_checks_consortium_kind_answers_and_declaration(app, make, open_call):
    open_call.min_groups = 2
    group = make.group(kind="association")
    base = dict(
        representative=group.representative,
        group=group,
        title="House",
        theme="culture",
        commons_ids=[open_call.offers[1].commons_id],
        answers={"hours": "10"},
        no_advantage=True,
        now=NOW,
    )
    with pytest.raises(DomainError, match="at least 2 groups"):
        call_ops.apply_to_call(open_call, **base)
    partners = [{"name": "Park friends", "kind": "informal_group"}]
    with pytest.raises(DomainError, match="economic advantage"):
        call_ops.apply_to_call(open_call, **{**base, "partners": partners, "no_advantage": False})
    with pytest.raises(DomainError, match="hours a week"):
        call_ops.apply_to_call(open_call, **{**base, "partners": partners, "answers": {}})
    company = make.group(kind="company")
    with pytest.raises(DomainError, match="open to"):
        call_ops.apply_to_call(
            open_call,
            **{
                **base,
                "partners": partners,
                "group": company,
                "representative": company.representative,
            },
        )
    application = call_ops.apply_to_call(open_call, **{**base, "partners": partners})
    assert application.batch.label == "First round" and application.group_count == 2
    later = open_call.batches[0].deadline + timedelta(minutes=1)
    assert call_ops.move_to_next_batch(
        application, actor=group.representative, now=later
    ).label == ("Second round")


def test_scores_need_a_declaration_and_a_reason_and_stay_within_the_scale(
    app, make, panel, open_call
):
    chair, first, second = panel
    group = make.group(kind="association")
    application = call_ops.apply_to_call(
        open_call,
        representative=group.representative,
        group=group,
        title="House",
        theme="culture",
        commons_ids=[open_call.offers[0].commons_id],
        answers={"hours": "10"},
        no_advantage=True,
        now=NOW,
    )
    open_call.status = CallStatus.EVALUATING.value
    outsider = make.user(Role.EVALUATOR)
    with pytest.raises(PermissionDenied):
        evaluation.declare(application, evaluator=outsider, no_conflict=True)
    with pytest.raises(DomainError, match="recuse"):
        evaluation.declare(application, evaluator=first, no_conflict=False)
    evaluation.declare(
        application, evaluator=second, no_conflict=False, recusal="My cousin leads it."
    )
    review = evaluation.declare(application, evaluator=first, no_conflict=True)
    (quality, impact, network) = open_call.criteria
    with pytest.raises(DomainError, match="from 0 to 40"):
        evaluation.save_scores(review, {quality.id: (41, "Great")}, submit=False)
    with pytest.raises(DomainError, match="reason"):
        evaluation.save_scores(review, {quality.id: (30, " ")}, submit=False)
    with pytest.raises(DomainError, match="points and the reason"):
        evaluation.save_scores(review, {quality.id: (30, "Good")}, submit=True)
    # Before submitting, the chair cannot record a consensus nor see the draft scores.
    evaluation.save_scores(review, {quality.id: (30, "Good")}, submit=False)
    assert evaluation.reviews_visible_to(application, chair) == []
    assert evaluation.pending_evaluators(application) == [first.full_name]
    with pytest.raises(DomainError, match="Eva Uno"):
        evaluation.record_consensus(application, {}, chair=chair)
    with pytest.raises(PermissionDenied):
        evaluation.rank(open_call, chair=first)
    db.session.rollback()


def test_who_may_do_what_on_a_call(app, make, panel, open_call):
    chair, first, second = panel
    citizen = make.user()
    assert can(citizen, "call.apply", open_call) and can(None, "call.view", open_call)
    assert not can(first, "call.evaluate", open_call)  # not before the evaluation starts
    open_call.status = CallStatus.EVALUATING.value
    assert can(first, "call.evaluate", open_call)
    assert not can(make.user(Role.EVALUATOR), "call.evaluate", open_call)  # not on the panel
    assert can(chair, "call.chair", open_call) and not can(second, "call.chair", open_call)
    assert not can(citizen, "call.results", open_call) and not can(None, "call.results", open_call)
    open_call.act_number = "DG 1"
    assert can(None, "call.results", open_call)
    db.session.rollback()
