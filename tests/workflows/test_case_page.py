"""The case page: state, timeline, clocks and one form per allowed action."""

from __future__ import annotations

import re

from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.extensions import db
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, proposal_in


def _act(client, proposal, trigger, data, version=None):
    token = csrf_token(client, f"/proposals/{proposal.id}")
    payload = {"csrf_token": token, "expected_version": version or proposal.lock_version, **data}
    return client.post(f"/proposals/{proposal.id}/actions/{trigger}", data=payload)


def test_representative_submits_from_the_case_page(app, client):
    cast = Cast()
    p = proposal_in("draft", cast)
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Draft" in page and "What you can do now" in page
    assert f'action="/proposals/{p.id}/actions/submit"' in page
    assert f'action="/proposals/{p.id}/actions/withdraw"' in page
    response = _act(client, p, "submit", {})
    assert response.status_code == 302
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    db.session.refresh(p)
    assert p.status == "submitted" and p.protocol_number in page
    assert "Review" in page and "of 30 days" in page and "running" in page
    assert "Submitted" in page  # in the history


def test_missing_data_is_explained_and_typed_text_kept(app, client):
    cast = Cast()
    p = proposal_in("under_review", cast)
    login(client, cast.officer.email)
    response = _act(client, p, "reject", {"reasons": "   ", "comment": "keep me"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This could not be done: Reject" in page
    assert 'id="reject-reasons-error"' in page
    assert "keep me" in page
    db.session.refresh(p)
    assert p.status == "under_review"


def test_stale_form_gets_409_already_done(app, make):
    from commons.auth.models import Role

    cast = Cast()
    p = proposal_in("submitted", cast)
    colleague = make.user(Role.OFFICER, name="Carla Colleague")
    first, second = app.test_client(), app.test_client()
    login(first, cast.officer.email)
    login(second, colleague.email)
    version = p.lock_version
    assert _act(first, p, "take_in_charge", {}, version=version).status_code == 302
    response = _act(second, p, "take_in_charge", {}, version=version)
    assert response.status_code == 409
    assert "changed by someone else" in response.get_data(as_text=True)


def test_the_same_click_twice_is_answered_as_the_first(app):
    """A double click, or the same form sent from a second tab: one change, one confirmation."""
    cast = Cast()
    p = proposal_in("submitted", cast)
    first, second = app.test_client(), app.test_client()
    login(first, cast.officer.email)
    login(second, cast.officer.email)
    version = p.lock_version
    answers = [_act(c, p, "take_in_charge", {}, version=version) for c in (first, second)]
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    page = second.get(answers[1].headers["Location"]).get_data(as_text=True)
    assert "Done: Take in charge" in page
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.proposal_id == p.id, AuditEvent.trigger == "take_in_charge"
        )
    ).all()
    assert len(events) == 1


def test_wrong_role_gets_403_and_sees_no_button(app, client):
    cast = Cast()
    p = proposal_in("submitted", cast)
    login(client, cast.representative.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "take_in_charge" not in page
    assert _act(client, p, "take_in_charge", {}).status_code == 403


def test_public_sees_state_and_history_but_no_private_parts(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    p.objectives = "Secret objectives of the group"
    db.session.commit()
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Co-design" in page
    assert "Secret objectives" not in page
    assert "What you can do now" not in page
    draft = proposal_in("draft", cast)
    assert client.get(f"/proposals/{draft.id}").status_code == 403


def test_signing_needs_password_and_name(app, client):
    cast = Cast()
    p = proposal_in("awaiting_signatures", cast)
    login(client, cast.representative.email)
    response = _act(
        client,
        p,
        "sign",
        {"full_name": "Rita Representative", "consent": "y", "password": "wrong password"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "password is needed again" in page
    assert "wrong password" not in page  # a password is never echoed back
    response = _act(
        client,
        p,
        "sign",
        {"full_name": "Rita Representative", "consent": "y", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.status == "awaiting_signatures"
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert not re.search(r'actions/sign"', page)
    assert "the legal officer for the city signs next" in page


def test_my_proposals_lists_own_and_group_proposals(app, client):
    cast = Cast()
    p = proposal_in("draft", cast)
    login(client, cast.member.email)
    page = client.get("/proposals/mine").get_data(as_text=True)
    assert p.title in page
