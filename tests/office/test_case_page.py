"""The case page for the office: co-design tools and every legal officer's action with its form."""

from __future__ import annotations

import pytest

from commons.extensions import db
from commons.proposals.models import CoDesignMeeting, TechnicalOpinion
from tests.conftest import csrf_token, login, post_form
from tests.workflows.scenario import Cast, data_for, proposal_in


def test_officer_records_a_meeting_and_bad_input_keeps_the_text(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    login(client, cast.officer.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert 'id="meeting-held_on"' in page and 'enctype="multipart/form-data"' in page
    url = f"/proposals/{p.id}/meetings"
    bad = post_form(
        client, url, {"held_on": "yesterday", "minutes": "We agreed the plan."}, token_from=url[:-9]
    )
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Enter the date of the meeting" in text and "We agreed the plan." in text
    good = post_form(
        client,
        url,
        {"held_on": "2026-11-10", "attendees": "Olga, Rita", "minutes": "We agreed the plan."},
        token_from=url[:-9],
    )
    assert good.status_code == 302
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "2026-11-10" in page and "Olga, Rita" in page and "Recorded by Olga Officer" in page
    assert db.session.query(CoDesignMeeting).filter_by(proposal_id=p.id).count() == 2


def test_officer_requests_and_records_an_opinion(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    login(client, cast.officer.email)
    case = f"/proposals/{p.id}"
    empty = post_form(client, f"{case}/opinions", {"department": " "}, token_from=case)
    assert empty.status_code == 422 and "Enter the department." in empty.get_data(as_text=True)
    assert post_form(client, f"{case}/opinions", {"department": "Heritage"}, token_from=case)
    opinion = db.session.query(TechnicalOpinion).filter_by(proposal_id=p.id).one()
    page = client.get(case).get_data(as_text=True)
    assert "Heritage" in page and "awaited since" in page
    assert "Technical opinions still awaited from: Heritage" in page  # agree_draft blocked
    url = f"{case}/opinions/{opinion.id}"
    missing = post_form(client, url, {"text": "No objection."}, token_from=case)
    text = missing.get_data(as_text=True)
    assert missing.status_code == 422 and "positive or negative" in text and "No objection." in text
    done = post_form(client, url, {"positive": "yes", "text": "No objection."}, token_from=case)
    assert done.status_code == 302
    db.session.refresh(opinion)
    assert opinion.positive is True and opinion.given_at is not None
    page = client.get(case).get_data(as_text=True)
    assert "positive" in page and "No objection." in page
    assert f'action="{case}/actions/agree_draft"' in page


def test_co_design_tools_are_for_the_office_only(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    login(client, cast.representative.email)
    case = f"/proposals/{p.id}"
    page = client.get(case).get_data(as_text=True)
    assert "Co-design" in page and 'id="meeting-held_on"' not in page
    response = post_form(client, f"{case}/meetings", {"held_on": "2026-11-10"}, token_from=case)
    assert response.status_code == 403
    other = proposal_in("under_review", cast)
    officer = app.test_client()
    login(officer, cast.officer.email)
    response = post_form(
        officer, f"/proposals/{other.id}/meetings", {"held_on": "2026-11-10"}, token_from="/"
    )
    assert response.status_code == 403  # only during co-design


LEGAL_ACTIONS = [
    ("legal_review", "approve", "awaiting_signatures", ["act_number", "act_date"]),
    ("legal_review", "return_to_co_design", "co_design", ["reasons"]),
    # The representative has signed: the legal officer's signature makes the pact active.
    ("awaiting_signatures", "sign", "active", ["full_name", "consent", "password"]),
    ("active", "suspend", "suspended", ["reasons", "grounds", "effective_from"]),
    ("suspended", "resume", "active", ["reasons"]),
    ("active", "revoke", "revoked", ["reasons"]),
    ("active", "terminate", "terminated", ["reasons"]),
    ("active", "extend", "active", ["act_number", "new_end_date"]),
]


@pytest.mark.parametrize(("state", "trigger", "target", "fields"), LEGAL_ACTIONS)
def test_every_legal_action_has_its_form_and_works(app, client, state, trigger, target, fields):
    cast = Cast()
    p = proposal_in(state, cast, for_signer="legal")
    login(client, cast.legal.email)
    case = f"/proposals/{p.id}"
    page = client.get(case).get_data(as_text=True)
    assert f'action="{case}/actions/{trigger}"' in page
    for field in fields:
        assert f'id="{trigger}-{field}"' in page, field
        assert f'for="{trigger}-{field}"' in page, field  # a label for every field
    data = data_for(trigger, cast.legal)
    data["csrf_token"] = csrf_token(client, case)
    data["expected_version"] = p.lock_version
    response = client.post(f"{case}/actions/{trigger}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.refresh(p)
    assert p.status == target
