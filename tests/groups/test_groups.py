"""Groups: create, edit, add members, invite by e-mail, join by the link, remove, hand over."""

from __future__ import annotations

import re

from commons.extensions import db
from commons.groups.models import GroupMember, ProponentGroup
from commons.notifications.models import Notification
from tests.auth.mail import mailed_link
from tests.conftest import csrf_token, login, post_form


def _post(client, url, data, page):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def test_a_citizen_creates_a_group_and_manages_it(app, client, make):
    rita = make.user(name="Rita Rossi")
    login(client, rita.email)
    response = post_form(
        client,
        "/groups/new",
        {"name": "Amici del parco", "kind": "association", "tax_code": "ab12"},
    )
    group = db.session.scalars(db.select(ProponentGroup)).one()
    assert response.headers["Location"].endswith(f"/groups/{group.id}")
    assert group.representative_id == rita.id and group.kind == "association"
    assert group.tax_code == "AB12"
    page = client.get("/groups/").get_data(as_text=True)
    assert "Amici del parco" in page and "you represent it" in page

    url = f"/groups/{group.id}"
    response = _post(
        client, url, {"details-name": "Amici del Parco Nord", "details-kind": "informal_group"}, url
    )
    assert response.status_code == 302
    db.session.refresh(group)
    assert group.name == "Amici del Parco Nord" and group.kind == "informal_group"


def test_creating_a_group_validates_and_keeps_the_input(app, client, make):
    login(client, make.user().email)
    response = post_form(
        client, "/groups/new", {"name": "", "kind": "association", "phone": "051 123"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "s name." in page and 'value="051 123"' in page
    response = post_form(client, "/groups/new", {"name": "X", "kind": "pirates"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(ProponentGroup)) == 0


def test_a_member_with_an_account_is_added_and_told(app, client, make):
    rita, mario = make.user(), make.user(name="Mario Bianchi", email="mario@example.org")
    group = make.group(rita)
    login(client, rita.email)
    url = f"/groups/{group.id}"
    response = _post(
        client,
        f"{url}/members",
        {"member-full_name": "Mario", "member-email": "Mario@Example.org"},
        url,
    )
    assert response.status_code == 302
    member = db.session.scalars(db.select(GroupMember)).one()
    assert member.user_id == mario.id and member.joined_at is not None
    note = db.session.scalars(db.select(Notification)).one()
    assert note.recipient_id == mario.id and note.kind == "group_member_added"
    assert group.name in note.subject


def test_an_invitation_by_email_is_accepted_after_registering(app, client, make):
    rita = make.user(name="Rita Rossi")
    group = make.group(rita, name="Orto condiviso")
    login(client, rita.email)
    url = f"/groups/{group.id}"
    _post(
        client,
        f"{url}/members",
        {"member-full_name": "Nina Neri", "member-email": "nina@example.org"},
        url,
    )
    member = db.session.scalars(db.select(GroupMember)).one()
    assert member.user_id is None and member.invitation_token_hash
    note = db.session.scalars(db.select(Notification)).one()
    assert note.recipient_email == "nina@example.org" and note.recipient_id is None
    link = re.search(r"/groups/join/[\w-]+", note.body).group(0)
    assert member.invitation_token_hash not in note.body  # the hash is not the token
    page = client.get(url).get_data(as_text=True)
    assert "invited, not joined yet" in page

    nina = app.test_client()
    page = nina.get(link).get_data(as_text=True)
    assert "nina@example.org" in page and f'href="/register?next={link}"' in page
    response = post_form(
        nina,
        f"/register?next={link}",
        {
            "full_name": "Nina Neri",
            "email": "nina@example.org",
            "password": "a long enough pass",
            "confirm": "a long enough pass",
            "locale": "en",
            "privacy": "y",
            "notice_version": "0",
        },
    )
    # A new account is confirmed first; the page's login link leads back to the invitation.
    assert response.status_code == 200
    assert f'href="/login?next={link}"' in response.get_data(as_text=True)
    confirm = mailed_link("nina@example.org", "/account/verify/")
    assert nina.get(confirm).status_code == 302
    response = post_form(
        nina,
        f"/login?next={link}",
        {"email": "nina@example.org", "password": "a long enough pass", "next": link},
    )
    assert response.headers["Location"].endswith(link)
    response = post_form(nina, link, {})
    assert response.headers["Location"].endswith(url)
    db.session.refresh(member)
    assert member.joined_at is not None and member.invitation_token_hash is None
    assert nina.get(link).status_code == 404  # used once


def test_an_invitation_needs_the_invited_address(app, client, make):
    rita, other = make.user(), make.user()
    group = make.group(rita)
    login(client, rita.email)
    url = f"/groups/{group.id}"
    _post(
        client,
        f"{url}/members",
        {"member-full_name": "Nina", "member-email": "nina@example.org"},
        url,
    )
    link = re.search(
        r"/groups/join/[\w-]+", db.session.scalars(db.select(Notification)).one().body
    )[0]
    intruder = app.test_client()
    login(intruder, other.email)
    response = post_form(intruder, link, {})
    assert response.status_code == 422 and "sent to nina@example.org" in response.get_data(
        as_text=True
    )
    assert db.session.scalars(db.select(GroupMember)).one().joined_at is None


def test_remove_a_member_and_hand_over_the_representation(app, client, make):
    rita, mario = make.user(name="Rita"), make.user(name="Mario")
    group = make.group(rita)
    from commons.auth.operations import add_member

    add_member(group, full_name="Mario", email=mario.email)
    add_member(group, full_name="Invited", email="invited@example.org")
    db.session.commit()
    mario_row, invited = group.members
    login(client, rita.email)
    url = f"/groups/{group.id}"
    # Only a joined member with an account can represent the group.
    response = _post(client, f"{url}/representative", {"rep-member_id": str(invited.id)}, url)
    assert response.status_code == 422
    response = _post(client, f"{url}/members/{invited.id}/remove", {}, url)
    assert response.status_code == 302
    response = _post(client, f"{url}/representative", {"rep-member_id": str(mario_row.id)}, url)
    assert response.status_code == 302
    db.session.refresh(group)
    assert group.representative_id == mario.id
    assert [m.user_id for m in group.members] == [rita.id]  # Rita stays, as a member
    # Rita no longer manages the group.
    assert (
        _post(
            client,
            f"{url}/members",
            {"member-full_name": "X", "member-email": "x@example.org"},
            url,
        ).status_code
        == 403
    )


def test_strangers_cannot_see_or_manage_a_group(app, client, make):
    group = make.group()
    login(client, make.user().email)
    assert client.get(f"/groups/{group.id}").status_code == 403
    token = csrf_token(client, "/groups/")
    response = client.post(
        f"/groups/{group.id}/members",
        data={"csrf_token": token, "member-full_name": "X", "member-email": "x@example.org"},
    )
    assert response.status_code == 403
