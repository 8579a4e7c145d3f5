"""The call pages through the browser's requests: the public page, applying as a consortium,
an evaluator's blind review, the chair's pages, the results and the feed."""

from __future__ import annotations

from datetime import timedelta

from commons.auth.models import Role
from commons.calls import evaluation
from commons.calls import operations as call_ops
from commons.calls.models import CallApplication, CallStatus
from commons.db import utcnow
from commons.extensions import db
from commons.formatting import city_day
from tests.calls.conftest import PAST_OPENED, submitted
from tests.conftest import login, post_form


def test_a_citizen_applies_as_a_consortium_from_the_call_page(app, client, make, open_call):
    page = client.get(f"/calls/{open_call.id}").get_data(as_text=True)
    assert "Roof repaired in 2024" in page and "Can we visit?" in page and "First round" in page
    assert open_call.reference in client.get("/calls/feed.atom").get_data(as_text=True)
    assert open_call.title in client.get("/").get_data(as_text=True)
    rep = make.user(name="Lia Lead")
    group = make.group(rep, kind="association", name="Music friends")
    login(client, rep.email)
    url = f"/calls/{open_call.id}/apply"
    data = {
        "group": str(group.id),
        "title": "Music house",
        "theme": "culture",
        "commons": str(open_call.offers[1].commons_id),
        "partner_1_name": "Park friends",
        "partner_1_kind": "informal_group",
        "answer_hours": "",
        "no_advantage": "y",
    }
    refused = post_form(client, url, data)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "hours a week" in text and 'value="Park friends"' in text  # nothing typed is lost
    answered = post_form(client, url, {**data, "answer_hours": "12"})
    assert answered.status_code == 302 and "/objectives" in answered.headers["Location"]
    application = db.session.query(CallApplication).one()
    assert application.group_count == 2
    assert application.proposal.commons == [open_call.offers[1].commons]


def test_evaluators_score_blind_and_the_chair_publishes_the_results(
    app, client, make, panel, past_call
):
    chair, first, second = panel
    call = past_call
    application = submitted(make, call, "Theatre lab", PAST_OPENED + timedelta(days=1))
    call_ops.close_batches(call, now=call.batches[-1].deadline + timedelta(minutes=1))
    call_ops.start_evaluation(call, actor=chair)
    db.session.commit()
    review = evaluation.declare(application, evaluator=second, no_conflict=True)
    evaluation.save_scores(
        review, {c.id: (20, "Second's secret reason") for c in call.criteria}, submit=True
    )
    db.session.commit()

    login(client, first.email)
    url = f"/calls/{call.id}/evaluate/{application.id}"
    assert "Theatre lab" in client.get(f"/calls/{call.id}/evaluate").get_data(as_text=True)
    post_form(client, url, {"declare-declaration": "none"})
    page = client.get(url).get_data(as_text=True)
    assert "Second&#39;s secret reason" not in page and "Submit my scores" in page
    scores = {f"score-points_{c.key}": "30" for c in call.criteria}
    scores |= {f"score-reason_{c.key}": "Solid plan" for c in call.criteria}
    assert post_form(client, url, {**scores, "go": "submit"}).status_code == 302
    assert "Second&#39;s secret reason" in client.get(url).get_data(as_text=True)

    client = app.test_client()
    login(client, chair.email)
    consensus_url = f"/calls/{call.id}/panel/{application.id}"
    agreed = {f"consensus-points_{c.key}": "25" for c in call.criteria}
    agreed |= {f"consensus-reason_{c.key}": "Agreed" for c in call.criteria}
    assert post_form(client, consensus_url, agreed).status_code == 302
    batch = application.batch
    panel_url = f"/calls/{call.id}/panel"
    assert "Rank the proposals of First round" in client.get(panel_url).get_data(as_text=True)
    ranked = post_form(
        client, f"/calls/{call.id}/batches/{batch.id}/rank", {}, token_from=panel_url
    )
    assert ranked.status_code == 302
    db.session.expire_all()
    assert batch.ranked_at is not None and call.status == CallStatus.EVALUATING  # one of two
    assert client.get(f"/calls/{call.id}/results.csv").status_code == 200  # chair: yes
    public = app.test_client()
    assert public.get(f"/calls/{call.id}/results.csv").status_code == 403  # not yet
    act_url = f"/calls/{call.id}/batches/{batch.id}/act"
    field = f"act{batch.id}-act_date"
    act = {f"act{batch.id}-act_number": "DG 7/2026", field: ""}
    refused = post_form(client, act_url, act, token_from=panel_url)
    assert refused.status_code == 422 and 'value="DG 7/2026"' in refused.get_data(as_text=True)
    act[field] = city_day(utcnow()).isoformat()
    done = post_form(client, act_url, act, token_from=panel_url)
    assert done.status_code == 302
    csv = public.get(f"/calls/{call.id}/results.csv").get_data(as_text=True)
    assert "Theatre lab" in csv and "Agreed" in csv and "62.5" in csv
    xlsx = public.get(f"/calls/{call.id}/results.xlsx")
    assert xlsx.data[:2] == b"PK"
    page = public.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "DG 7/2026" in page and "Admitted to co-design" in page


def test_only_the_panel_reaches_the_panel_pages(app, client, make, panel, open_call):
    chair, first, second = panel
    outsider = make.user(Role.EVALUATOR)
    open_call.status = CallStatus.EVALUATING.value
    db.session.commit()
    login(client, outsider.email)
    assert client.get(f"/calls/{open_call.id}/evaluate").status_code == 403
    assert client.get(f"/calls/{open_call.id}/panel").status_code == 403
    client = app.test_client()
    login(client, first.email)
    assert client.get(f"/calls/{open_call.id}/evaluate").status_code == 200
    assert client.get(f"/calls/{open_call.id}/panel").status_code == 403


def test_the_register_and_its_map_single_out_the_commons_an_open_call_offers(
    client, make, open_call
):
    other = make.commons(name="Not offered")
    offered = open_call.offers[0].commons
    page = client.get("/commons/?call=open").get_data(as_text=True)
    assert offered.name in page and "Not offered" not in page
    features = client.get("/commons/map.geojson").get_json()["features"]
    flags = {f["properties"]["id"]: f["properties"].get("offered", False) for f in features}
    assert flags[offered.id] is True and flags[other.id] is False
