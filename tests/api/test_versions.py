"""PATCH of a commons or a draft says the version it was made from (``expected_version``):
a stale one is refused with a 409 problem giving the current version; nothing is saved over
the other client's change.
"""

from __future__ import annotations

from commons.auth.models import Role
from commons.extensions import db
from commons.proposals.models import Proposal
from commons.registry.models import Commons
from tests import factories
from tests.api.helpers import Caller, token_for


def _stale(response, current: int) -> None:
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "urn:commons:problem:stale-version"
    assert body["current_version"] == current
    assert f"the current version is {current}" in body["detail"]


def test_a_stale_change_of_a_commons_is_refused_with_the_current_version(client):
    garden = factories.commons(name="Rose garden")
    olga = Caller(client, token_for(factories.user(Role.OFFICER)))
    path = f"/commons/{garden.id}"
    read = olga.get(path).get_json()["version"]
    assert read == 1

    missing = olga.patch(path, json={"description": "No version said"})
    assert missing.status_code == 400
    assert "expected_version" in missing.get_json()["errors"]

    first = olga.patch(path, json={"description": "Roses", "expected_version": read})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    _stale(olga.patch(path, json={"description": "Tulips", "expected_version": read}), 2)
    db.session.expire_all()
    assert db.session.get(Commons, garden.id).description == "Roses"

    again = olga.patch(path, json={"description": "Tulips", "expected_version": 2})
    assert again.status_code == 200 and again.get_json()["description"] == "Tulips"


def test_a_stale_change_of_a_draft_is_refused_with_the_current_version(client):
    rep = factories.user(name="Rita Representative")
    draft = factories.proposal(factories.group(rep))
    rita = Caller(client, token_for(rep))
    path = f"/proposals/{draft.id}"
    read = rita.get(path).get_json()["version"]

    missing = rita.patch(path, json={"objectives": "No version said"})
    assert missing.status_code == 400
    assert "expected_version" in missing.get_json()["errors"]

    first = rita.patch(path, json={"objectives": "Plant trees", "expected_version": read})
    assert first.status_code == 200 and first.get_json()["version"] == read + 1
    # The same request again (a retry after a lost answer) changes nothing: answered as before.
    repeated = rita.patch(path, json={"objectives": "Plant trees", "expected_version": read})
    assert repeated.status_code == 200 and repeated.get_json()["version"] == read + 1
    stale = rita.patch(path, json={"objectives": "Paint benches", "expected_version": read})
    _stale(stale, read + 1)
    db.session.expire_all()
    assert db.session.get(Proposal, draft.id).objectives == "Plant trees"

    again = rita.patch(path, json={"objectives": "Paint benches", "expected_version": read + 1})
    assert again.status_code == 200 and again.get_json()["objectives"] == "Paint benches"


def test_groups_show_their_version(client):
    rep = factories.user(name="Rita Representative")
    group = factories.group(rep)
    me = Caller(client, token_for(rep)).get("/me").get_json()
    assert [(g["id"], g["version"]) for g in me["groups"]] == [(group.id, 1)]
