"""offers.csv: the published offers and needs, nothing of who posted or answered them."""

from __future__ import annotations

import csv
import io

from commons.extensions import db
from commons.offers import operations
from tests.offers.conftest import NEED


def test_only_published_posts_without_people_are_in_the_open_data(app, client, people):
    published = operations.post(
        author=people.member, group=people.group, commons=people.garden, **NEED
    )
    operations.publish(published, actor=people.officer)
    operations.respond(published, user=people.helper, message="Count on me.", phone="051 123456")
    waiting = operations.post(
        author=people.member, group=people.group, commons=people.garden, **{**NEED, "title": "Wait"}
    )
    closed = operations.post(
        author=people.officer, commons=people.garden, **{**NEED, "title": "Done", "kind": "offer"}
    )
    operations.publish(closed, actor=people.officer)
    operations.close(closed, actor=people.officer, closed_as="fulfilled")
    db.session.commit()

    response = client.get("/open-data/offers.csv")
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == [str(published.id)]
    (row,) = rows
    assert row["kind"] == "need" and row["category"] == "volunteers"
    assert row["district"] == "Navile" and row["posted_for"] == "group"
    assert row["commons_id"] == str(people.garden.id) and row["pact_id"] == ""
    assert row["published_at"].endswith("Z")
    for private in ("Count on me", "carla@example.org", "Mario Bianchi", "Amici del parco", "Wait"):
        assert private not in text
    assert waiting.title not in text
    assert "offers.csv" in client.get("/open-data/").get_data(as_text=True)
