"""Errors are application/problem+json with a clear title; bad input never gives a 5xx."""

from __future__ import annotations

from commons.auth.models import Role
from tests import factories
from tests.api.helpers import Caller, token_for
from tests.workflows.scenario import Cast, proposal_in

PROBLEM = "application/problem+json"


def _problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"]
    assert body["type"] == f"urn:commons:problem:{slug}"
    return body


def test_400_lists_the_field_errors(client):
    officer = factories.user(Role.OFFICER)
    caller = Caller(client, token_for(officer))
    body = _problem(
        caller.post("/commons", json={"name": "", "kind": "volcano", "latitude": 200}),
        400,
        "invalid-request",
    )
    assert set(body["errors"]) >= {"name", "kind", "address", "latitude"}
    body = _problem(caller.post("/commons", json={"nmae": "typo"}), 400, "invalid-request")
    assert "nmae" in body["errors"]
    broken = client.post(
        "/api/v1/commons",
        data="{not json",
        content_type="application/json",
        headers=caller.headers,
    )
    _problem(broken, 400, "invalid-request")


def test_400_from_an_operation_names_the_field(client):
    cast = Cast()
    caller = Caller(client, token_for(cast.representative))
    body = _problem(
        caller.post(
            "/proposals",
            json={"group_id": cast.group.id, "title": "   ", "commons_ids": [999999]},
        ),
        400,
        "invalid-request",
    )
    assert list(body["errors"]) == ["commons_ids"]


def test_bad_cursor_is_a_400(client):
    body = _problem(client.get("/api/v1/proposals?cursor=garbage"), 400, "invalid-request")
    assert "cursor" in body["errors"]


def test_404_and_405(client):
    _problem(client.get("/api/v1/proposals/424242"), 404, "not-found")
    _problem(client.get("/api/v1/no-such-thing"), 404, "not-found")
    cast = Cast()
    proposal = proposal_in("under_review", cast)
    unknown = Caller(client, token_for(cast.officer)).fire(proposal.id, "teleport")
    assert "teleport" in _problem(unknown, 404, "not-found")["detail"]
    response = client.delete("/api/v1/commons")
    _problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]


def test_409_on_a_stale_version_or_a_trigger_not_possible_now(client):
    cast = Cast()
    proposal = proposal_in("under_review", cast)
    officer = Caller(client, token_for(cast.officer))
    version = officer.get(f"/proposals/{proposal.id}").get_json()["version"]
    first = officer.fire(proposal.id, "admit", version=version)
    assert first.status_code == 200
    # The same request again (a retry): the first answer, nothing fired twice.
    retried = officer.fire(proposal.id, "admit", version=version)
    assert retried.status_code == 200
    assert retried.get_json()["event"]["seq"] == first.get_json()["event"]["seq"]
    # A second officer pressing the same button with the version they saw: already done.
    colleague = Caller(client, token_for(factories.user(Role.OFFICER, name="Otto Officer")))
    again = colleague.fire(proposal.id, "admit", version=version)
    assert "already" in _problem(again, 409, "conflict")["detail"]
    _problem(officer.fire(proposal.id, "take_in_charge"), 409, "conflict")


def test_422_names_the_rule_and_what_is_missing(client):
    cast = Cast()
    proposal = proposal_in("under_review", cast)
    officer = Caller(client, token_for(cast.officer))
    body = _problem(officer.fire(proposal.id, "request_integration"), 422, "rule-refused")
    assert body["rule"] == "requires"
    assert list(body["errors"]) == ["message"]
    draft = proposal_in("draft", cast)
    draft.commons = []
    from commons.extensions import db

    db.session.commit()
    body = _problem(
        Caller(client, token_for(cast.representative)).fire(draft.id, "submit"),
        422,
        "rule-refused",
    )
    assert body["rule"] == "has_commons"


def test_403_and_401(client):
    cast = Cast()
    proposal = proposal_in("under_review", cast)
    citizen = Caller(client, token_for(cast.member))
    body = _problem(citizen.fire(proposal.id, "admit"), 403, "forbidden")
    assert body["detail"]
    _problem(Caller(client, None).fire(proposal.id, "admit"), 401, "unauthenticated")
    _problem(Caller(client, None).get("/audit/events"), 401, "unauthenticated")
    _problem(citizen.get("/audit/events"), 403, "forbidden")


def test_html_error_pages_of_the_site_are_unchanged(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.content_type.startswith("text/html")


def test_problems_speak_the_clients_language(client, make):
    response = client.get("/api/v1/proposals/424242", headers={"Accept-Language": "it"})
    assert response.get_json()["title"] == "Non trovato"
    italian = make.user(locale="it")
    response = Caller(client, token_for(italian)).get("/audit/events")
    assert response.get_json()["detail"] == "I tuoi ruoli non lo consentono."


def test_nul_characters_are_bad_input_not_a_database_error(client):
    officer = Caller(client, token_for(factories.user(Role.OFFICER)))
    body = _problem(
        officer.post("/commons", json={"name": "Park\x00", "kind": "park", "address": "X"}),
        400,
        "invalid-request",
    )
    assert list(body["errors"]) == ["name"]
    _problem(officer.get("/commons?q=a%00b"), 400, "invalid-request")
