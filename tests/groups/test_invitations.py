"""Invitations by e-mail expire; the representative sees them and resends or cancels them."""

from __future__ import annotations

import re
from datetime import timedelta

from commons.auth.models import GroupMember
from commons.extensions import db
from commons.monitoring.models import Notification
from tests.conftest import csrf_token, login, post_form


def _invite(client, group, email="nina@example.org", name="Nina Neri") -> GroupMember:
    url = f"/groups/{group.id}"
    response = client.post(
        f"{url}/members",
        data={
            "csrf_token": csrf_token(client, url),
            "member-full_name": name,
            "member-email": email,
        },
    )
    assert response.status_code == 302
    return db.session.scalars(db.select(GroupMember).where(GroupMember.email == email)).one()


def _links(email="nina@example.org") -> list[str]:
    notes = db.session.scalars(
        db.select(Notification)
        .where(Notification.recipient_email == email)
        .order_by(Notification.id)
    ).all()
    return [re.search(r"/groups/join/[\w-]+", n.body).group(0) for n in notes]


def _age(member: GroupMember, days: float) -> None:
    member.invited_at -= timedelta(days=days)
    db.session.commit()


def test_an_invitation_says_until_when_it_works(app, client, make):
    rita = make.user(name="Rita Rossi")
    group = make.group(rita)
    login(client, rita.email)
    member = _invite(client, group)
    assert member.invited_at is not None
    note = db.session.scalars(db.select(Notification)).one()
    assert "The link works until" in note.body and "ask Rita Rossi for a new one" in note.body
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "invited, not joined yet" in page and "the link works until" in page
    assert "Send the invitation again" in page and "Cancel the invitation" in page


def test_an_expired_link_says_so_and_offers_nothing_else(app, client, make):
    rita = make.user(name="Rita Rossi")
    group = make.group(rita, name="Orto condiviso")
    login(client, rita.email)
    member = _invite(client, group)
    (link,) = _links()
    _age(member, 13.9)  # still valid just before the 14 days
    nina = app.test_client()
    assert nina.get(link).status_code == 200
    _age(member, 0.2)
    response = nina.get(link)
    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "This invitation has expired" in page and "Ask Rita Rossi" in page
    main = page.split('id="main"', 1)[1].split("</main>", 1)[0]
    assert "/register" not in main and "/login" not in main and "<form" not in main
    # Someone with the invited address, logged in, cannot join with it either.
    nina_user = make.user(email="nina@example.org")
    login(nina, nina_user.email)
    response = post_form(nina, link, {}, token_from="/")
    assert response.status_code == 410
    db.session.refresh(member)
    assert member.joined_at is None and member.user_id is None

    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "invitation expired" in page and "The link stopped working on" in page


def test_the_representative_resends_an_expired_invitation(app, client, make):
    rita = make.user(name="Rita Rossi")
    group = make.group(rita)
    login(client, rita.email)
    member = _invite(client, group)
    _age(member, 20)
    url = f"/groups/{group.id}"
    response = post_form(client, f"{url}/members/{member.id}/invite", {}, token_from=url)
    assert response.status_code == 302
    old, new = _links()
    assert old != new
    nina = app.test_client()
    assert nina.get(old).status_code == 404  # replaced: the old link no longer works
    page = nina.get(new).get_data(as_text=True)
    assert "invites you to join" in page and 'href="/register?next=' in page
    assert "A new invitation is on its way to nina@example.org" in client.get(url).get_data(
        as_text=True
    )


def test_the_representative_cancels_an_invitation(app, client, make):
    rita = make.user()
    group = make.group(rita)
    login(client, rita.email)
    member = _invite(client, group)
    (link,) = _links()
    url = f"/groups/{group.id}"
    post_form(client, f"{url}/members/{member.id}/remove", {}, token_from=url)
    assert db.session.scalar(db.select(db.func.count()).select_from(GroupMember)) == 0
    assert app.test_client().get(link).status_code == 404


def test_only_the_representative_resends_and_never_to_a_member(app, client, make):
    rita, mario = make.user(), make.user()
    group = make.group(rita)
    login(client, rita.email)
    invited = _invite(client, group)
    joined = _invite(client, group, email=mario.email, name="Mario")
    url = f"/groups/{group.id}"
    response = post_form(client, f"{url}/members/{joined.id}/invite", {}, token_from=url)
    assert "has already joined the group" in client.get(url).get_data(as_text=True)
    assert len(_links(mario.email)) == 0
    other = app.test_client()
    login(other, mario.email)
    response = post_form(other, f"{url}/members/{invited.id}/invite", {}, token_from=url)
    assert response.status_code == 403
    assert len(_links()) == 1


def test_the_validity_is_configurable(app, client, make):
    app.config["INVITATION_DAYS"] = 2
    rita = make.user()
    group = make.group(rita)
    login(client, rita.email)
    member = _invite(client, group)
    (link,) = _links()
    _age(member, 2)
    assert app.test_client().get(link).status_code == 410
