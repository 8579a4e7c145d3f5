"""Requests to join the proposing group: seen by the group, answered by its representative."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.audit.operations import verify_chain
from commons.auth.models import Role
from commons.consultation.models import JoinRequest
from commons.extensions import db
from commons.groups.models import GroupMember
from commons.notifications.mail import compose
from commons.notifications.messages import render
from commons.notifications.models import Notification
from tests.conftest import login, post_form
from tests.workflows.scenario import Cast, proposal_in


def _logout(client) -> None:
    assert post_form(client, "/logout", {}, token_from="/").status_code == 302


def _under_notice(cast: Cast, **changes):
    p = proposal_in("public_notice", cast)
    p.notice_ends_at = datetime.now(UTC) + timedelta(days=10)
    for name, value in changes.items():
        setattr(p, name, value)
    db.session.commit()
    return p


def _ask(client, p, message="I can water the plants."):
    return post_form(
        client, f"/pacts/{p.id}/join", {"message": message}, token_from=f"/pacts/{p.id}"
    )


def _asked(client, make, cast, p, *, name="Carla Cittadina", message="I can water the plants."):
    """A citizen asks to join through ``p``; returns (citizen, request), logged out after."""
    citizen = make.user(Role.CITIZEN, name=name)
    login(client, citizen.email)
    assert _ask(client, p, message).status_code == 302
    _logout(client)
    join = db.session.scalar(select(JoinRequest).where(JoinRequest.user_id == citizen.id))
    return citizen, join


def _notes(user, kind=None):
    stmt = select(Notification).where(Notification.recipient_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt.order_by(Notification.id)).all()


def test_the_representative_is_told_and_the_group_sees_the_request(client, make):
    cast = Cast()
    p = _under_notice(cast, title="Orto di via Libia")
    citizen, join = _asked(client, make, cast, p)
    assert join.status == "pending"

    [note] = _notes(cast.representative, "join_requested")
    assert note.subject == f"Carla Cittadina asks to join {cast.group.name}"
    assert "Orto di via Libia" in note.body and f"/groups/{cast.group.id}" in note.body
    assert note.sent_at is None  # in the outbox, for the e-mail sender
    mail = compose(note, cast.representative).get_content()
    assert "Carla Cittadina asked to join your group" in mail
    subject, body = render(note, "it")
    assert subject == f"Carla Cittadina chiede di entrare in {cast.group.name}"
    assert "Orto di via Libia" in body

    group_page = f"/groups/{cast.group.id}"
    login(client, cast.representative.email)
    page = client.get(group_page).get_data(as_text=True)
    assert "Requests to join" in page and "Carla Cittadina" in page
    assert "I can water the plants." in page and "Orto di via Libia" in page
    assert (
        f"/join-requests/{join.id}/accept" in page and f"/join-requests/{join.id}/decline" in page
    )
    assert "Your request to join" not in page
    notifications = client.get("/notifications/").get_data(as_text=True)
    assert "Carla Cittadina asks to join" in notifications
    _logout(client)

    # A member reads the requests but cannot answer them.
    login(client, cast.member.email)
    page = client.get(group_page).get_data(as_text=True)
    assert "Carla Cittadina" in page and "I can water the plants." in page
    assert "/accept" not in page and "/decline" not in page
    assert "The representative accepts or declines them." in page
    _logout(client)

    # Someone outside the group does not see the group's page at all.
    login(client, citizen.email)
    assert client.get(group_page).status_code == 403


def test_the_representative_accepts_and_the_requester_becomes_a_member(client, make):
    cast = Cast()
    p = _under_notice(cast, title="Orto di via Libia")
    citizen, join = _asked(client, make, cast, p)
    login(client, cast.representative.email)
    group_page = f"/groups/{cast.group.id}"

    response = post_form(
        client, f"{group_page}/join-requests/{join.id}/accept", {}, token_from=group_page
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{group_page}#join-requests")
    page = client.get(group_page).get_data(as_text=True)
    assert "Carla Cittadina is now a member of the group." in page
    assert "accepted on" in page and "No request to join is waiting for an answer." in page
    db.session.expire_all()
    join = db.session.get(JoinRequest, join.id)
    assert join.status == "accepted" and join.decided_by_id == cast.representative.id
    member = db.session.scalar(select(GroupMember).where(GroupMember.user_id == citizen.id))
    assert member.group_id == cast.group.id and member.joined_at is not None
    assert member.full_name == "Carla Cittadina" and member.email == citizen.email
    [note] = _notes(citizen, "join_accepted")
    assert note.subject == f"You are now a member of {cast.group.name}"
    assert "Orto di via Libia" in note.body
    assert note.proposal_id is None  # the link in the text leads to the group's page
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.trigger == "join_request_accepted")
    )
    assert event.proposal_id == p.id and event.actor_id == cast.representative.id
    assert event.payload == {
        "join_request_id": join.id,
        "user_id": citizen.id,
        "group_id": cast.group.id,
    }
    assert event.public is False and event.to_state is None
    assert verify_chain().ok
    # Answering twice is refused plainly.
    response = post_form(
        client, f"{group_page}/join-requests/{join.id}/accept", {}, token_from=group_page
    )
    assert response.status_code == 409
    assert "This request to join has already been answered." in response.get_data(as_text=True)
    _logout(client)

    # The new member sees the group, and the status of their request on the pact's page.
    login(client, citizen.email)
    assert cast.group.name in client.get("/groups/").get_data(as_text=True)
    assert client.get(group_page).status_code == 200
    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "The group accepted your request on" in page
    assert "Ask to join the proposing group" not in page


def test_the_representative_declines_with_a_reason_the_requester_reads(client, make):
    cast = Cast()
    p = _under_notice(cast, title="Orto di via Libia")
    citizen, join = _asked(client, make, cast, p)
    login(client, cast.representative.email)
    group_page = f"/groups/{cast.group.id}"
    url = f"{group_page}/join-requests/{join.id}/decline"

    # Too long a reason: refused with a message, the text kept, the request still waiting.
    long_reason = "y" * 1001
    response = post_form(
        client, url, {f"decline-{join.id}-reason": long_reason}, token_from=group_page
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "at most 1,000 are accepted here" in page and long_reason in page
    db.session.expire_all()
    assert db.session.get(JoinRequest, join.id).status == "pending"

    response = post_form(
        client,
        url,
        {f"decline-{join.id}-reason": "  We are full for this season.  "},
        token_from=group_page,
    )
    assert response.status_code == 302
    db.session.expire_all()
    join = db.session.get(JoinRequest, join.id)
    assert (join.status, join.reason) == ("declined", "We are full for this season.")
    assert not cast.group.has_member(citizen)
    [note] = _notes(citizen, "join_declined_reason")
    assert note.subject == f"{cast.group.name} declined your request to join"
    assert "We are full for this season." in note.body
    assert "La motivazione: We are full for this season." in render(note, "it")[1]
    page = client.get(group_page).get_data(as_text=True)
    assert "declined on" in page and "We are full for this season." in page
    _logout(client)

    login(client, citizen.email)
    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "The group declined your request on" in page
    assert "We are full for this season." in page
    # Not again: neither through this proposal nor through another of the same group.
    assert _ask(client, p, "please").status_code == 409
    other = _under_notice(cast)
    response = _ask(client, other, "please")
    assert response.status_code == 409
    assert "The group has declined your request to join" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(JoinRequest)) == 1


def test_declining_without_a_reason_says_so_plainly(client, make):
    cast = Cast()
    p = _under_notice(cast)
    citizen, join = _asked(client, make, cast, p)
    login(client, cast.representative.email)
    group_page = f"/groups/{cast.group.id}"
    response = post_form(
        client, f"{group_page}/join-requests/{join.id}/decline", {}, token_from=group_page
    )
    assert response.status_code == 302
    [note] = _notes(citizen)
    assert note.kind == "join_declined" and "reason" not in note.body
    db.session.expire_all()
    assert db.session.get(JoinRequest, join.id).reason is None


def test_a_pending_request_blocks_asking_through_another_proposal_of_the_group(client, make):
    cast = Cast()
    first, second = _under_notice(cast), _under_notice(cast)
    citizen, _ = _asked(client, make, cast, first)
    login(client, citizen.email)
    page = client.get(f"/pacts/{first.id}").get_data(as_text=True)
    assert "The group has not answered yet." in page
    response = _ask(client, second)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "You have already asked to join this group." in body
    assert "I can water the plants." in body  # what was typed is kept
    # Another group's proposal is another matter.
    other_cast = Cast()
    assert _ask(client, _under_notice(other_cast)).status_code == 302
    assert len(_notes(cast.representative, "join_requested")) == 1


def test_only_the_groups_representative_answers(client, make):
    cast = Cast()
    p = _under_notice(cast)
    citizen, join = _asked(client, make, cast, p)
    group_page = f"/groups/{cast.group.id}"
    accept = f"{group_page}/join-requests/{join.id}/accept"
    decline = f"{group_page}/join-requests/{join.id}/decline"

    # Anonymous: sent to log in.
    for url in (accept, decline):
        response = post_form(client, url, {}, token_from="/login")
        assert response.status_code == 302 and "/login" in response.headers["Location"]

    # Another group's representative, even through their own group's address.
    stranger = make.user(Role.CITIZEN)
    own = make.group(stranger)
    login(client, stranger.email)
    for url in (accept, decline):
        assert post_form(client, url, {}, token_from=f"/groups/{own.id}").status_code == 403
    own_url = f"/groups/{own.id}/join-requests/{join.id}/accept"
    assert post_form(client, own_url, {}, token_from=f"/groups/{own.id}").status_code == 404
    _logout(client)

    # An ordinary member, the office, and the requester.
    for person in (cast.member, cast.officer, citizen):
        login(client, person.email)
        token_page = group_page if person is not citizen else f"/pacts/{p.id}"
        for url in (accept, decline):
            assert post_form(client, url, {}, token_from=token_page).status_code == 403
        _logout(client)

    # Without the form's token (CSRF), not even the representative.
    login(client, cast.representative.email)
    assert client.post(accept).status_code == 400
    db.session.expire_all()
    assert db.session.get(JoinRequest, join.id).status == "pending"
    assert not cast.group.has_member(citizen)
    assert _notes(citizen) == []


def test_an_invitation_already_sent_to_the_requester_is_taken_up(client, make):
    cast = Cast()
    p = _under_notice(cast)
    citizen, join = _asked(client, make, cast, p)
    invited = GroupMember(full_name="Carla C.", email=citizen.email, invitation_token_hash="x" * 64)
    cast.group.members.append(invited)
    db.session.commit()
    login(client, cast.representative.email)
    group_page = f"/groups/{cast.group.id}"
    response = post_form(
        client, f"{group_page}/join-requests/{join.id}/accept", {}, token_from=group_page
    )
    assert response.status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(GroupMember).where(GroupMember.email == citizen.email)).all()
    assert len(rows) == 1 and rows[0].user_id == citizen.id and rows[0].joined_at is not None
    assert rows[0].invitation_token_hash is None


def test_the_group_page_works_in_italian(client, make):
    cast = Cast()
    p = _under_notice(cast)
    _asked(client, make, cast, p)
    login(client, cast.representative.email)
    page = client.get(f"/groups/{cast.group.id}", headers={"Accept-Language": "it"}).get_data(
        as_text=True
    )
    assert "Richieste di adesione" in page and "Rifiuta" in page
