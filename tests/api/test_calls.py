"""The API of calls: reading a call, applying as a consortium, scoring blind, the results."""

from __future__ import annotations

import workflows
from commons.calls.models import CallStatus
from commons.extensions import db
from tests.api.helpers import Caller, token_for
from tests.calls.conftest import NOW, open_call, panel  # noqa: F401 - fixtures


def test_apply_score_and_read_the_results_through_the_api(app, client, make, panel, open_call):  # noqa: F811
    chair, first, second = panel
    anyone = Caller(client, None)
    (listed,) = anyone.get("/calls").get_json()
    assert listed["reference"] == open_call.reference and len(listed["criteria"]) == 3
    rep = make.user()
    group = make.group(rep, kind="association")
    citizen = Caller(client, token_for(rep))
    body = {
        "group_id": group.id,
        "title": "Library of things",
        "theme": "culture",
        "commons_ids": [open_call.offers[0].commons_id],
        "partners": [{"name": "Repair café", "kind": "informal_group"}],
        "answers": {},
        "no_advantage": True,
    }
    refused = citizen.post(f"/calls/{open_call.id}/applications", json=body)
    assert refused.status_code == 400 and "hours a week" in refused.get_json()["detail"]
    body["answers"] = {"hours": "15"}
    made = citizen.post(f"/calls/{open_call.id}/applications", json=body)
    assert made.status_code == 201, made.get_json()
    application = made.get_json()
    assert application["groups"] == 2 and application["batch"] == "First round"

    from commons.proposals.models import Proposal

    proposal = db.session.get(Proposal, application["proposal_id"])
    proposal.objectives, proposal.activities, proposal.requested_duration_months = "a", "b", 12
    workflows.fire(proposal, "submit", rep, now=NOW)
    open_call.status = CallStatus.EVALUATING.value
    db.session.commit()

    path = f"/calls/{open_call.id}/applications/{application['id']}"
    assert citizen.post(f"{path}/declaration", json={"no_conflict": True}).status_code == 403
    evaluators = [Caller(client, token_for(e)) for e in (first, second)]
    scores = [{"criterion_id": c.id, "points": 20, "reason": "Fine"} for c in open_call.criteria]
    for n, evaluator in enumerate(evaluators):
        assert evaluator.post(f"{path}/declaration", json={"no_conflict": True}).status_code == 201
        saved = evaluator.client.put(
            f"/api/v1{path}/scores",
            json={"scores": scores, "submit": n == 1},
            headers=evaluator.headers,
        )
        assert saved.status_code == 200, saved.get_json()
    # Blind: the first has not submitted, and nobody sees the first's draft.
    assert [r["evaluator"] for r in evaluators[0].get(f"{path}/reviews").get_json()] == [
        first.full_name
    ]
    assert [r["evaluator"] for r in evaluators[1].get(f"{path}/reviews").get_json()] == [
        second.full_name
    ]
    evaluators[0].client.put(
        f"/api/v1{path}/scores",
        json={"scores": scores, "submit": True},
        headers=evaluators[0].headers,
    )
    assert len(evaluators[0].get(f"{path}/reviews").get_json()) == 2
    assert anyone.get(f"/calls/{open_call.id}/results").status_code == 401  # not public yet
