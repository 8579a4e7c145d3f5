"""A rolling call: each batch is ranked and admitted by its own act while later deadlines still
receive applications; its results are public from its act, the later batch's are not."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from commons.audit.models import AuditEvent
from commons.calls import evaluation
from commons.calls import operations as call_ops
from commons.calls import queries as call_queries
from commons.calls.deadlines import open_batch
from commons.calls.models import CallStatus, Outcome
from commons.errors import Conflict, DomainError, PermissionDenied
from commons.extensions import db
from commons.formatting import city_day
from commons.lifecycle.states import is_tagged
from tests.api.helpers import Caller, token_for
from tests.calls.conftest import APPLIED, CLOSED, NOW, RANKED, ROLLING_FIRST, grid, submitted
from tests.conftest import login, post_form


def test_a_batch_is_ranked_and_admitted_while_the_next_one_receives_applications(
    app, client, make, panel, first_batch_scored
):
    chair, first, second = panel
    call, strong, weak, later = first_batch_scored
    batch, next_batch = call.batches

    # The later batch is not the panel's yet: nobody declares, scores or ranks on it.
    with pytest.raises(Conflict, match="not being evaluated"):
        evaluation.declare(later, evaluator=first, no_conflict=True)
    db.session.rollback()
    with pytest.raises(DomainError, match="rank its proposals after it"):
        evaluation.rank_batch(next_batch, chair=chair)
    db.session.rollback()

    ranked = evaluation.rank_batch(batch, chair=chair, now=RANKED)
    db.session.commit()
    assert [a.proposal.title for a in ranked] == ["Music school", "Storage room"]
    assert [a.outcome for a in ranked] == [Outcome.ADMITTED, Outcome.BELOW_THRESHOLD]
    assert call.status == CallStatus.OPEN  # the second batch still receives applications
    with pytest.raises(Conflict, match="ranked already"):
        evaluation.record_consensus(strong, grid(call, 40, 40, 40), chair=chair)
    db.session.rollback()

    # Ranked, not admitted: the public sees nothing of it yet, the chair does.
    public = app.test_client()
    assert "Music school" not in public.get(f"/calls/{call.id}").get_data(as_text=True)
    assert public.get(f"/calls/{call.id}/results.csv").status_code == 403

    act_day = city_day(RANKED) + timedelta(days=1)
    evaluation.record_batch_act(
        batch, actor=chair, number="DG 40/2026", act_date=act_day, now=RANKED + timedelta(days=1)
    )
    db.session.commit()
    assert is_tagged(strong.proposal, "co_design") and not is_tagged(weak.proposal, "co_design")
    assert (batch.act_number, batch.act_date) == ("DG 40/2026", act_day)
    # The call is admitted with its last batch only.
    assert call.status == CallStatus.OPEN and call.act_number is None

    # The first batch's results are public, with its act; the second's proposal is not there.
    page = public.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Results of First round" in page and "DG 40/2026" in page
    assert page.index("Music school") < page.index("Storage room") < page.index("Too vague.")
    assert "Library of things" not in page and "Results of Second round" not in page
    exported = public.get(f"/calls/{call.id}/results.csv").get_data(as_text=True)
    assert "Music school" in exported and "Library of things" not in exported
    scores = list(csv.DictReader(io.StringIO(public.get("/open-data/call-scores.csv").text)))
    assert {(r["proposal_id"], r["batch"], r["act_number"]) for r in scores} == {
        (str(strong.proposal_id), "First round", "DG 40/2026"),
        (str(weak.proposal_id), "First round", "DG 40/2026"),
    }
    assert {r["act_date"] for r in scores} == {act_day.isoformat()}
    results = Caller(client, None).get(f"/calls/{call.id}/results").get_json()
    assert [(r["title"], r["batch_id"], r["act_number"]) for r in results["items"]] == [
        ("Music school", batch.id, "DG 40/2026"),
        ("Storage room", batch.id, "DG 40/2026"),
    ]
    assert results["items"][1]["scores"][0] == {
        "criterion_id": call.criteria[0].id,
        "points": 10,
        "reason": "Too vague.",
    }
    assert (
        db.session.scalar(
            select(func.count()).where(AuditEvent.trigger == "call_batch_act_recorded")
        )
        == 1
    )

    # The second batch goes on: still receiving applications, its panel work still to come.
    assert open_batch(call, NOW) is next_batch
    assert not next_batch.in_evaluation and next_batch.ranked_at is None


def test_an_act_needs_its_ranking_and_a_date_after_the_deadline_and_the_ranking(
    app, make, panel, first_batch_scored
):
    chair, first, second = panel
    call, strong, weak, later = first_batch_scored
    batch = call.batches[0]
    with pytest.raises(Conflict, match="Rank the proposals of First round before"):
        evaluation.record_batch_act(batch, actor=chair, number="DG 1", act_date=city_day(NOW))
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        evaluation.rank_batch(batch, chair=second)  # an officer on the panel, not its chair
    db.session.rollback()
    evaluation.rank_batch(batch, chair=chair, now=RANKED)
    db.session.commit()
    with pytest.raises(Conflict, match="ranked already"):
        evaluation.rank_batch(batch, chair=chair, now=RANKED)
    db.session.rollback()
    for day, message in (
        (city_day(ROLLING_FIRST) - timedelta(days=1), "before the deadline of First round"),
        (city_day(RANKED) - timedelta(days=1), "before the ranking it adopts"),
        (city_day(NOW) + timedelta(days=1), "after the admissions"),
    ):
        with pytest.raises(DomainError, match=message) as refused:
            evaluation.record_batch_act(batch, actor=chair, number="DG 1", act_date=day, now=NOW)
        assert refused.value.field == "act_date"
        db.session.rollback()
    assert batch.act_number is None and not is_tagged(strong.proposal, "co_design")


def test_the_chairs_buttons_rank_and_admit_one_batch_and_others_are_refused(
    app, client, make, panel, first_batch_scored
):
    chair, first, second = panel
    call, strong, weak, later = first_batch_scored
    batch, next_batch = call.batches
    panel_url = f"/calls/{call.id}/panel"
    rank_url = f"/calls/{call.id}/batches/{batch.id}/rank"
    act_url = f"/calls/{call.id}/batches/{batch.id}/act"
    for outsider in (first, second):  # an evaluator, an officer who is not the chair
        other = app.test_client()
        login(other, outsider.email)
        page = f"/calls/{call.id}"
        assert post_form(other, rank_url, {}, token_from=page).status_code == 403
        assert post_form(other, act_url, {}, token_from=page).status_code == 403
    db.session.expire_all()
    assert batch.ranked_at is None

    login(client, chair.email)
    page = client.get(panel_url).get_data(as_text=True)
    assert "Rank the proposals of First round" in page
    assert "Rank the proposals of Second round" not in page  # its deadline has not passed
    early = post_form(
        client, f"/calls/{call.id}/batches/{next_batch.id}/rank", {}, token_from=panel_url
    )
    assert early.status_code == 302
    assert "rank its proposals after it" in client.get(panel_url).get_data(as_text=True)
    assert post_form(client, rank_url, {}, token_from=panel_url).status_code == 302
    db.session.expire_all()
    assert batch.ranked_at is not None and next_batch.ranked_at is None
    page = client.get(panel_url).get_data(as_text=True)
    assert "Record the act of First round" in page

    number, day = f"act{batch.id}-act_number", f"act{batch.id}-act_date"
    before = (city_day(ROLLING_FIRST) - timedelta(days=1)).isoformat()
    refused = post_form(client, act_url, {number: "DG 9/2026", day: before}, token_from=panel_url)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "before the deadline of First round" in text
    assert 'value="DG 9/2026"' in text  # what was typed is kept
    today = city_day(NOW).isoformat()
    done = post_form(client, act_url, {number: "DG 9/2026", day: today}, token_from=panel_url)
    assert done.status_code == 302
    again = post_form(client, act_url, {number: "DG 10/2026", day: today}, token_from=panel_url)
    assert again.status_code == 409
    assert "recorded already: DG 9/2026" in again.get_data(as_text=True)
    db.session.expire_all()
    assert batch.act_number == "DG 9/2026" and is_tagged(strong.proposal, "co_design")


def test_the_api_results_are_paged_and_filtered_by_batch(
    app, client, make, panel, first_batch_scored
):
    chair, first, second = panel
    call, strong, weak, later = first_batch_scored
    batch, next_batch = call.batches
    anyone = Caller(client, None)
    assert anyone.get(f"/calls/{call.id}/results").status_code == 401  # nothing public yet
    evaluation.rank_batch(batch, chair=chair, now=RANKED)
    extra = [submitted(make, call, f"Proposal {n}", NOW) for n in range(2)]
    assert all(a.batch_id == next_batch.id for a in extra)  # applied now: the open batch
    evaluation.record_batch_act(batch, actor=chair, number="DG 2", act_date=city_day(NOW), now=NOW)
    db.session.commit()

    seen, cursor = [], None
    while True:
        query = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = anyone.get(f"/calls/{call.id}/results", query_string=query).get_json()
        assert len(page["items"]) <= 1
        seen += [(r["rank"], r["title"]) for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [(1, "Music school"), (2, "Storage room")]
    only = anyone.get(f"/calls/{call.id}/results", query_string={"batch_id": next_batch.id})
    assert only.status_code == 200 and only.get_json() == {"items": [], "next_cursor": None}
    mine = anyone.get(f"/calls/{call.id}/results", query_string={"batch_id": batch.id})
    assert len(mine.get_json()["items"]) == 2
    assert (
        anyone.get(f"/calls/{call.id}/results", query_string={"batch_id": 987654}).status_code
        == 404
    )
    bad = anyone.get(f"/calls/{call.id}/results", query_string={"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and "cursor" in bad.get_json()["detail"]
    # The chair reads the same published results through the API (the ranking of a batch
    # without its act stays on the chair's page).
    assert (
        len(Caller(client, token_for(chair)).get(f"/calls/{call.id}/results").get_json()["items"])
        == 2
    )


def test_the_evaluators_list_is_paged_and_holds_only_the_batches_being_evaluated(
    app, client, make, panel, rolling_call, monkeypatch, count_queries
):
    chair, first, second = panel
    call = rolling_call
    titles = [f"Proposal {n}" for n in range(4)]
    applications = [submitted(make, call, t, APPLIED) for t in titles]
    call_ops.close_batches(call, now=CLOSED)
    submitted(make, call, "Proposal late", NOW)  # the second batch: not the panel's yet
    evaluation.declare(applications[0], evaluator=first, no_conflict=True)
    db.session.commit()
    monkeypatch.setattr(call_queries, "PAGE_SIZE", 3)
    login(client, first.email)
    url, pages = f"/calls/{call.id}/evaluate", []
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(re.findall(r"Proposal (?:\d|late)", page))
        found = re.search(r'rel="next" href="([^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert pages == [titles[:3], titles[3:]]
    first_page = client.get(f"/calls/{call.id}/evaluate").get_data(as_text=True)
    assert "in progress" in first_page and "to start" in first_page
    with count_queries() as few:
        client.get(f"/calls/{call.id}/evaluate")
    monkeypatch.setattr(call_queries, "PAGE_SIZE", 4)
    with count_queries() as many:
        client.get(f"/calls/{call.id}/evaluate")
    assert many.count == few.count, many
