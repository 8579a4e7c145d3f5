"""The demo city's offers and needs and results: every state shown, dated coherently, and on
the map."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from commons.audit.operations import verify_chain
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.offers.models import HelpResponse, Post
from commons.proposals.models import Proposal
from commons.uploads.models import Attachment


def _came_in_force(pact: Proposal):
    """When the pact's last signature made it active."""
    from commons.audit.models import AuditEvent

    return db.session.scalar(
        select(AuditEvent.occurred_at)
        .where(AuditEvent.proposal_id == pact.id, AuditEvent.trigger == "sign")
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )


@pytest.mark.xdist_group("demo")
def test_the_demo_has_offers_and_needs_in_every_state_and_results_on_the_map(demo_app):
    posts = db.session.scalars(select(Post).order_by(Post.id)).all()
    states = sorted({(p.status, p.closed_as) for p in posts}, key=str)
    assert ("published", None) in states and ("pending", None) in states
    assert ("closed", "fulfilled") in states and ("rejected", None) in states
    assert {p.kind for p in posts} == {"offer", "need"}
    assert any(p.group_id is None for p in posts)  # one posted by the office for the city
    for post in posts:
        if post.moderated_at:
            assert post.created_at < post.moderated_at, post.title
        for answer in db.session.scalars(
            select(HelpResponse).where(HelpResponse.post_id == post.id)
        ):
            assert post.published_at < answer.created_at, post.title
            assert post.closed_at is None or answer.created_at < post.closed_at, post.title
        if post.proposal is not None:
            assert _came_in_force(post.proposal) < post.created_at, post.title
    assert verify_chain().ok

    client = demo_app.test_client()
    listed = client.get("/offers/").get_data(as_text=True)
    published = [p for p in posts if p.status == "published"]
    assert all(p.title in listed for p in published)
    offers_layer = client.get("/offers/map.geojson").get_json()["features"]
    assert len(offers_layer) == len(published)
    results_layer = client.get("/results/map.geojson").get_json()["features"]
    assert len(results_layer) >= 3
    assert any(f["properties"]["detail"].startswith("Events held: ") for f in results_layer)

    reno = db.session.scalar(
        select(Proposal).where(Proposal.title == "Litter picking along the Reno")
    )
    reports = db.session.scalars(
        select(MonitoringReport)
        .where(MonitoringReport.proposal_id == reno.id)
        .order_by(MonitoringReport.filed_at)
    ).all()
    assert len(reports) == 2 and reports[0].filed_at < reports[1].filed_at
    photo = db.session.scalars(select(Attachment).where(Attachment.proposal_id == reno.id)).one()
    assert photo.linked_id == reports[1].id and photo.created_at == reports[1].filed_at
    assert reports[1].photos_public and not reports[0].photos_public
    page = client.get(f"/pacts/{reno.id}/results").get_data(as_text=True)
    assert 'id="figures-events">7<' in page and 'id="figures-hours">108<' in page
    assert f"/pacts/{reno.id}/results/photos/{photo.id}" in page
