"""The whole lifecycle over the API: a draft made, submitted and followed to an active pact."""

from __future__ import annotations

from datetime import timedelta

from commons.db import utcnow
from commons.extensions import db
from commons.proposals.models import Proposal
from tests import factories
from tests.api.helpers import Caller, token_for
from tests.workflows.scenario import Cast


def test_draft_to_active_over_the_api(client):
    cast = Cast()
    garden = factories.commons(name="Rose garden")
    rita = Caller(client, token_for(cast.representative))
    olga = Caller(client, token_for(cast.officer))
    leo = Caller(client, token_for(cast.legal))
    public = Caller(client, None)

    me = rita.get("/me").get_json()
    assert [g["id"] for g in me["groups"]] == [cast.group.id]

    created = rita.post(
        "/proposals",
        json={
            "group_id": cast.group.id,
            "title": "Care of the rose garden",
            "commons_ids": [garden.id],
            "objectives": "Keep the roses.",
            "activities": "Pruning twice a month.",
            "requested_duration_months": 12,
        },
    )
    assert created.status_code == 201, created.get_json()
    proposal = created.get_json()
    pid = proposal["id"]
    assert proposal["status"] == "draft" and proposal["private"] is True
    # A draft is the proponents' own: the public does not see it.
    assert public.get(f"/proposals/{pid}").status_code == 401

    changed = rita.patch(
        f"/proposals/{pid}",
        json={"start_date": "2026-12-01", "expected_version": proposal["version"]},
    )
    assert changed.status_code == 200
    assert changed.get_json()["start_date"] == "2026-12-01"

    triggers = rita.get(f"/proposals/{pid}/transitions").get_json()["triggers"]
    assert [t["trigger"] for t in triggers] == ["submit", "withdraw"]
    assert all(t["ready"] for t in triggers)
    submitted = rita.fire(pid, "submit", version=changed.get_json()["version"])
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert body["proposal"]["status"] == "submitted"
    assert body["proposal"]["protocol_number"]
    assert body["event"]["from_state"] == "draft"

    assert olga.fire(pid, "take_in_charge").get_json()["proposal"]["status"] == "under_review"
    admitted = olga.fire(pid, "admit").get_json()
    assert admitted["proposal"]["status"] == "public_notice"
    # Closing the notice before its window has ended is refused by the rule, with a 422.
    early = olga.fire(pid, "close_notice")
    assert early.status_code == 422
    assert early.get_json()["rule"] == "notice_window_ended"

    # The notice window runs for days; here it has ended.
    p = db.session.get(Proposal, pid)
    p.notice_ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert olga.fire(pid, "close_notice").get_json()["proposal"]["status"] == "co_design"

    version = olga.post(
        f"/proposals/{pid}/pact-versions", json={"comment": "First draft.", "base_version": 0}
    )
    assert version.status_code == 201, version.get_json()
    assert version.get_json()["number"] == 1
    assert olga.fire(pid, "agree_draft").get_json()["proposal"]["status"] == "legal_review"

    approved = leo.fire(pid, "approve", act_number="DD 12/2026", act_date="2026-11-20")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["proposal"]["status"] == "awaiting_signatures"

    signed = rita.fire(
        pid,
        "sign",
        full_name=cast.representative.full_name,
        consent="y",
        password=factories.PASSWORD,
    )
    assert signed.status_code == 200, signed.get_json()
    done = leo.fire(
        pid, "sign", full_name=cast.legal.full_name, consent="y", password=factories.PASSWORD
    )
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["proposal"]["status"] == "active"

    # The signed pact is public: anyone lists and downloads it.
    documents = public.get(f"/proposals/{pid}/documents").get_json()
    signed_doc = next(d for d in documents if d["kind"] == "signed")
    pdf = public.get(signed_doc["download_url"].removeprefix("/api/v1"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    report = rita.post(
        f"/proposals/{pid}/reports", json={"report_text": "Roses pruned.", "participants": 6}
    )
    assert report.status_code == 201, report.get_json()
    assert report.get_json()["indicators"].get("participants") == 6
    assert report.get_json()["framework"] == "default"
    assert report.get_json()["framework_version"] == 1
    reports = olga.get(f"/proposals/{pid}/reports").get_json()
    assert [r["text"] for r in reports] == ["Roses pruned."]
