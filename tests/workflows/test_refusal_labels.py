"""A refusal names each field by its label in the reader's language, on pages and in the API's
problem details; the API's structured errors keep the fields' machine names."""

from __future__ import annotations

from commons.extensions import db
from tests.api.helpers import Caller, token_for
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, proposal_in


def _approve(client, p, data):
    case = f"/proposals/{p.id}"
    payload = {"csrf_token": csrf_token(client, case), "expected_version": p.lock_version, **data}
    return client.post(f"{case}/actions/approve", data=payload)


def _problem_text(page: str) -> str:
    return page.split('id="action-problem"', 1)[1].split("</div>", 1)[0]


def test_the_case_page_names_the_fields_by_their_labels(app, client):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    login(client, cast.legal.email)
    response = _approve(client, p, {"act_number": "", "act_date": "30 May"})
    assert response.status_code == 422
    problem = _problem_text(response.get_data(as_text=True))
    assert "Decision act number: required" in problem
    assert "Decision act date: a date as YYYY-MM-DD" in problem
    assert "act_number" not in problem and "act_date" not in problem
    db.session.refresh(p)
    assert p.status == "legal_review"


def test_italian_refusals_name_the_fields_in_italian(app, client):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    cast.legal.locale = "it"
    db.session.commit()
    login(client, cast.legal.email)
    response = _approve(client, p, {"act_number": " ", "act_date": "2026-05-25"})
    problem = _problem_text(response.get_data(as_text=True))
    assert "Numero dell&#39;atto di approvazione: obbligatorio" in problem
    assert "act_number" not in problem


def test_the_api_detail_names_labels_and_errors_keep_field_names(app, client):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    legal = Caller(client, token_for(cast.legal))
    response = legal.fire(p.id, "approve", act_date="yesterday")
    body = response.get_json()
    assert response.status_code == 422 and body["rule"] == "requires"
    assert "Decision act number: required" in body["detail"]
    assert "Decision act date: a date as YYYY-MM-DD" in body["detail"]
    assert sorted(body["errors"]) == ["act_date", "act_number"]
    assert body["errors"]["act_number"] == ["required"]
    italian = client.post(
        f"/api/v1/proposals/{p.id}/transitions/approve",
        json={"data": {}},
        headers={**legal.headers, "Accept-Language": "it"},
    )
    assert "Numero dell'atto di approvazione: obbligatorio" in italian.get_json()["detail"]
