"""Invitations by e-mail expire; the representative sees them and resends or cancels them."""

from __future__ import annotations

import re
from datetime import timedelta

from commons.extensions import db
from commons.groups.models import GroupMember
from commons.notifications.models import Notification
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
    # No mail server in the tests: the page gives the new link to pass on.
    page = client.get(url).get_data(as_text=True)
    assert "No e-mail was sent" in page and f'value="http://localhost{new}"' in page
    assert "It replaces the earlier link, which no longer works." in page


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


def _shown_link(page: str) -> str | None:
    found = re.search(r'id="pass-on-link" type="text" readonly value="([^"]+)"', page)
    return found.group(1) if found else None


def test_without_a_mail_server_the_page_gives_the_link_to_pass_on(app, client, make):
    rita = make.user(name="Rita Rossi")
    group = make.group(rita)
    login(client, rita.email)
    _invite(client, group)
    (link,) = _links()
    response = client.get(f"/groups/{group.id}")
    page = response.get_data(as_text=True)
    assert "No e-mail was sent: pass this link on to Nina Neri" in page
    assert "was not e-mailed to nina@example.org" in page
    assert "An invitation is on its way" not in page
    # The link the page shows is the invitation's, at the address the site answered on.
    assert _shown_link(page) == f"http://localhost{link}"
    assert response.headers["Cache-Control"] == "no-store"
    nina = app.test_client()
    assert "invites you to join" in nina.get(link).get_data(as_text=True)
    # Shown once: the next view of the page no longer carries it.
    assert _shown_link(client.get(f"/groups/{group.id}").get_data(as_text=True)) is None


def test_with_a_mail_server_the_invitation_is_e_mailed_and_no_link_shown(app, client, make):
    app.config["SMTP_HOST"] = "mail.example.org"
    rita = make.user(name="Rita Rossi")
    group = make.group(rita)
    login(client, rita.email)
    _invite(client, group)
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "An invitation is on its way to nina@example.org." in page
    assert _shown_link(page) is None and "No e-mail was sent" not in page


def test_a_public_address_the_city_set_is_the_one_in_the_link(app, client, make):
    app.config.update(PUBLIC_URL="https://commons.example.org", PUBLIC_URL_SET=True)
    rita = make.user(name="Rita Rossi")
    group = make.group(rita)
    login(client, rita.email)
    _invite(client, group)
    (link,) = _links()
    note = db.session.scalars(db.select(Notification)).one()
    assert f"https://commons.example.org{link}" in note.body
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert _shown_link(page) == f"https://commons.example.org{link}"


def test_an_unconfirmed_account_is_invited_not_added_and_joins_by_the_link(app, client, make):
    rita = make.user(name="Rita Rossi")
    group = make.group(rita)
    nina_user = make.user(email="nina@example.org")
    nina_user.email_verified_at = None
    db.session.commit()
    login(client, rita.email)
    member = _invite(client, group)
    assert member.user_id is None and member.joined_at is None  # not added by address
    [note] = db.session.scalars(db.select(Notification)).all()
    assert note.kind == "group_invitation" and note.recipient_email == "nina@example.org"
    assert note.recipient_id is None
    (link,) = _links()
    nina = app.test_client()
    login(nina, "nina@example.org")
    assert post_form(nina, link, {}, token_from=link).status_code == 302
    db.session.refresh(member)
    assert member.user_id == nina_user.id and member.joined_at is not None


def test_a_confirmed_account_is_added_at_once(app, client, make):
    rita = make.user(name="Rita Rossi")
    group = make.group(rita)
    nina_user = make.user(email="nina@example.org")
    login(client, rita.email)
    member = _invite(client, group)
    assert member.user_id == nina_user.id and member.joined_at is not None
    [note] = db.session.scalars(db.select(Notification)).all()
    assert note.kind == "group_member_added" and note.recipient_id == nina_user.id
