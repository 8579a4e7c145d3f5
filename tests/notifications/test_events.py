"""Every event that needs someone's action puts a notification in that person's outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from commons.extensions import db
from commons.notifications.messages import render
from commons.notifications.models import Notification
from tests import factories
from tests.conftest import login, post_form
from tests.workflows.scenario import NOW, Cast, approve_and_sign, data_for, proposal_in
from workflows import fire


def _notes(p) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.proposal_id == p.id).order_by(Notification.id)
        )
    )


def _who(note: Notification):
    return note.recipient_id or note.recipient_role


def test_review_journey_notifies_who_acts_next(app):
    cast = Cast()
    p = proposal_in("draft", cast)
    fire(p, "submit", cast.representative, now=NOW)
    db.session.commit()
    assert [(n.kind, _who(n)) for n in _notes(p)] == [("submitted", "officer")]
    fire(p, "take_in_charge", cast.officer, now=NOW)
    fire(p, "request_integration", cast.officer, now=NOW, message="Send the statute.")
    db.session.commit()
    note = _notes(p)[-1]
    assert (note.kind, _who(note)) == ("integration_requested", cast.representative.id)
    assert "Send the statute." in note.body and p.protocol_number in note.subject
    fire(p, "integrate", cast.representative, now=NOW + timedelta(days=2), answer="Here.")
    db.session.commit()
    note = _notes(p)[-1]
    assert (note.kind, _who(note)) == ("integration_answered", cast.officer.id)


def test_signers_are_told_in_order(app):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    approve_and_sign(cast, p)
    kinds = [(n.kind, _who(n)) for n in _notes(p)]
    assert kinds == [
        ("to_sign", cast.representative.id),
        ("to_sign", "legal"),
        ("pact_active", cast.representative.id),
    ]


def test_agreed_draft_goes_to_the_legal_officers(app):
    cast = Cast()
    ordinary = proposal_in("co_design", cast)
    complex_ = proposal_in("co_design", cast, pact_type="complex")
    for p in (ordinary, complex_):
        fire(p, "agree_draft", cast.officer, now=NOW)
    db.session.commit()
    assert [(n.kind, _who(n)) for n in _notes(ordinary)] == [("to_approve", "legal")]
    assert [(n.kind, _who(n)) for n in _notes(complex_)] == [("to_deliberate", "legal")]


@pytest.mark.parametrize(
    ("state", "trigger", "kind"),
    [
        ("legal_review", "return_to_co_design", "returned"),
        ("under_review", "reject", "rejected"),
        ("active", "suspend", "suspended"),
        ("active", "revoke", "revoked"),
        ("active", "terminate", "terminated"),
    ],
)
def test_decisions_are_told_to_the_representative(app, state, trigger, kind):
    cast = Cast()
    p = proposal_in(state, cast)
    actor = cast.officer if trigger == "reject" else cast.legal
    data = data_for(trigger, actor)
    fire(p, trigger, actor, now=NOW, **data)
    db.session.commit()
    note = _notes(p)[-1]
    assert (note.kind, note.recipient_id) == (kind, cast.representative.id)
    assert data["reasons"] in note.body


def test_a_refused_or_rolled_back_transition_leaves_no_notification(app):
    cast = Cast()
    p = proposal_in("under_review", cast)
    fire(p, "reject", cast.officer, now=NOW, reasons="No.")
    db.session.rollback()
    assert _notes(p) == []


def test_message_is_written_in_the_readers_language(app):
    cast = Cast()
    p = proposal_in("under_review", cast)
    fire(p, "reject", cast.officer, now=NOW, reasons="Fuori ambito.")
    db.session.commit()
    note = _notes(p)[-1]
    subject, body = render(note, "it")
    assert subject.startswith("La proposta") and "Fuori ambito." in body
    assert render(note, "en")[0] == note.subject


def test_notifications_page_unread_count_and_mark_read(app, client):
    cast = Cast()
    q = proposal_in("draft", cast)
    fire(q, "submit", cast.representative, now=NOW)
    p = proposal_in("under_review", cast)
    fire(p, "reject", cast.officer, now=NOW, reasons="Outside the scope.")
    db.session.commit()

    login(client, cast.representative.email)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "was rejected" in page and "Outside the scope." in page
    assert "New proposal submitted" not in page  # that one is for the officers
    assert '1<span class="visually-hidden"> unread</span>' in page
    mine = _notes(p)[-1]
    response = post_form(client, f"/notifications/{mine.id}/read", {}, token_from="/notifications/")
    assert response.status_code == 302
    db.session.refresh(mine)
    assert mine.read_at is not None
    assert "unread</span>" not in client.get("/notifications/").get_data(as_text=True)
    # The officers' notification is not the representative's to mark.
    theirs = _notes(q)[-1]
    response = post_form(client, f"/notifications/{theirs.id}/read", {}, token_from="/")
    assert response.status_code == 403

    officer = app.test_client()
    login(officer, cast.officer.email)
    page = officer.get("/notifications/").get_data(as_text=True)
    assert "New proposal submitted" in page and "was rejected" not in page
    response = post_form(officer, "/notifications/read-all", {}, token_from="/notifications/")
    assert response.status_code == 302
    db.session.refresh(theirs)
    assert theirs.read_at is not None
    assert client.get("/notifications/").status_code == 200


def test_italian_reader_sees_italian_notifications(app, client):
    cast = Cast()
    reader = factories.user("citizen", locale="it")
    group = factories.group(reader)
    p = factories.proposal(group)
    fire(p, "submit", reader, now=NOW)
    fire(p, "take_in_charge", cast.officer, now=NOW)
    fire(p, "request_integration", cast.officer, now=NOW, message="Manca lo statuto.")
    db.session.commit()
    login(client, reader.email)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Manca lo statuto." in page and "Notifiche" in page
