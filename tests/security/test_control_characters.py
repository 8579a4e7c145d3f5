"""NUL and other control characters: refused with a message naming the field, never a 500."""

from __future__ import annotations

import pytest

from commons.extensions import db
from commons.proposals.models import Proposal
from tests import factories
from tests.api.helpers import Caller, token_for
from tests.conftest import csrf_token, login


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f"])
def test_a_form_with_a_control_character_is_refused_and_nothing_is_stored(app, client, character):
    rep = factories.user(name="Rita Representative")
    proposal = factories.proposal(factories.group(rep), objectives="Plant trees")
    db.session.commit()
    login(client, rep.email)
    url = f"/apply/{proposal.id}/objectives"
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "objectives": f"Plant{character} 40"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "objectives" in page and "control character" in page
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).objectives == "Plant trees"


def test_tabs_and_line_breaks_are_text(app, client):
    rep = factories.user(name="Rita Representative")
    proposal = factories.proposal(factories.group(rep))
    db.session.commit()
    login(client, rep.email)
    url = f"/apply/{proposal.id}/objectives"
    text = "First line\r\nSecond\tline"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "objectives": text})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).objectives == "First line\r\nSecond\tline".strip()


@pytest.mark.parametrize("path", ["/register?q=park%00", "/commons?q=%00", "/?lang=%00"])
def test_a_query_with_nul_is_a_clear_400(app, client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "control character (NUL)" in response.get_data(as_text=True)


def test_the_api_names_the_field_of_a_nul(app, client):
    rep = factories.user(name="Rita Representative")
    group = factories.group(rep)
    db.session.commit()
    api = Caller(client, token_for(rep))
    response = api.post("/proposals", json={"title": "Park\u0000", "group_id": group.id})
    assert response.status_code == 400
    body = response.get_json()
    assert "title" in body["errors"]
    assert "control character (NUL)" in body["detail"]
