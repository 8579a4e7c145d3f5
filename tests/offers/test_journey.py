"""A group's member posts a need, an officer publishes it, a citizen says "I can help", the
poster is told and reads how to reach them, closes it as fulfilled; the public list, the post's
page and the map layer show what they should, and the audit chain verifies."""

from __future__ import annotations

import re

from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.audit.operations import verify_chain
from commons.extensions import db
from commons.offers.models import Post
from tests.conftest import post_form
from tests.offers.conftest import NEED, logged_in, post_need


def _post_id(response) -> int:
    return int(re.search(r"/offers/(\d+)$", response.headers["Location"]).group(1))


def test_a_need_from_posting_to_fulfilled(app, people):
    member = logged_in(app, people.member)
    sent = post_need(member, people.garden.id, people.group.id)
    assert sent.status_code == 302
    post_id = _post_id(sent)
    page = member.get(f"/offers/{post_id}").get_data(as_text=True)
    assert "Waiting for moderation" in page and NEED["title"] in page
    # Not public yet: neither in the list nor on its own page for a visitor.
    visitor = app.test_client()
    assert NEED["title"] not in visitor.get("/offers/").get_data(as_text=True)
    assert visitor.get(f"/offers/{post_id}").status_code == 403

    officer = logged_in(app, people.officer)
    queue = officer.get("/offers/moderation").get_data(as_text=True)
    assert NEED["title"] in queue and "Amici del parco" in queue
    notes = officer.get("/notifications/").get_data(as_text=True)
    assert "waits for moderation" in notes
    published = post_form(
        officer, f"/offers/{post_id}/publish", {}, token_from=f"/offers/{post_id}"
    )
    assert published.status_code == 302

    listed = visitor.get("/offers/?kind=need&category=volunteers&district=Navile")
    assert NEED["title"] in listed.get_data(as_text=True)
    assert NEED["title"] not in visitor.get("/offers/?kind=offer").get_data(as_text=True)
    layer = visitor.get("/offers/map.geojson").get_json()
    (feature,) = layer["features"]
    assert feature["properties"]["url"] == f"/offers/{post_id}"
    assert feature["properties"]["name"] == f"Need: {NEED['title']}"
    assert feature["geometry"]["coordinates"] == [11.34, 44.49]
    assert "Your post is published" in member.get("/notifications/").get_data(as_text=True)

    helper = logged_in(app, people.helper)
    answer = post_form(
        helper,
        f"/offers/{post_id}/help",
        {"help-message": "I can come with two friends.", "help-phone": "333 123 4567"},
        token_from=f"/offers/{post_id}",
    )
    assert answer.status_code == 302
    after = helper.get(f"/offers/{post_id}").get_data(as_text=True)
    assert "You said you can help on" in after
    assert "carla@example.org" not in after  # no list of answers, not even one's own

    notes = member.get("/notifications/").get_data(as_text=True)
    assert "Carla Verdi can help" in notes and "I can come with two friends." in notes
    own = member.get(f"/offers/{post_id}").get_data(as_text=True)
    assert "Who can help" in own and "carla@example.org" in own
    assert "+39 333 123 4567" in own and 'href="tel:+393331234567"' in own

    closed = post_form(
        member,
        f"/offers/{post_id}/close",
        {"close-closed_as": "fulfilled"},
        token_from=f"/offers/{post_id}",
    )
    assert closed.status_code == 302
    assert NEED["title"] not in visitor.get("/offers/").get_data(as_text=True)
    assert visitor.get("/offers/map.geojson").get_json()["features"] == []
    shown = visitor.get(f"/offers/{post_id}").get_data(as_text=True)
    assert "Fulfilled" in shown and "carla@example.org" not in shown
    assert "I can help" not in shown  # closed: no more answers

    db.session.expire_all()
    post = db.session.get(Post, post_id)
    assert (post.status, post.closed_as) == ("closed", "fulfilled")
    triggers = db.session.scalars(
        select(AuditEvent.trigger)
        .where(AuditEvent.trigger.like("offer_%"))
        .order_by(AuditEvent.seq)
    ).all()
    assert triggers == ["offer_posted", "offer_published", "offer_responded", "offer_closed"]
    assert verify_chain().ok


def test_the_office_posts_for_the_city_about_a_pact_in_force(app, make):
    from commons.auth.models import Role
    from tests.workflows.scenario import Cast, proposal_in

    cast = Cast()
    pact = proposal_in("active", cast)
    officer = logged_in(app, cast.officer)
    form = officer.get(f"/offers/new?pact={pact.id}").get_data(as_text=True)
    assert "The city (the office)" in form and pact.title in form
    url = f"/offers/new?pact={pact.id}"
    data = {**NEED, "kind": "offer", "category": "materials", "title": "Forty bags of soil"}
    data.update(on_behalf="city", pact_id=str(pact.id))
    sent = post_form(officer, url, data, token_from=url)
    assert sent.status_code == 302
    post = db.session.get(Post, _post_id(sent))
    assert post.group_id is None and post.proposal_id == pact.id
    assert post.commons_id == pact.commons[0].id
    page = officer.get(f"/offers/{post.id}").get_data(as_text=True)
    assert f'Posted for</dt><dd class="col-sm-8">{app.config["CITY_OFFICE"]}' in page
    # A citizen is not offered the city, and cannot post for it.
    person = make.user(Role.CITIZEN)
    group = make.group(person)
    citizen = logged_in(app, person)
    assert "The city (the office)" not in citizen.get(url).get_data(as_text=True)
    refused = post_form(citizen, url, {**data, "on_behalf": "city"}, token_from=url)
    assert refused.status_code == 403
    mine = post_form(citizen, url, {**data, "on_behalf": str(group.id)}, token_from=url)
    assert mine.status_code == 302
