"""Confirming an address: the link sent again from the account page, and an address change."""

from __future__ import annotations

from commons.auth.models import User
from commons.extensions import db
from tests.auth.mail import mailed_link, outbox
from tests.conftest import login, post_form
from tests.factories import PASSWORD


def test_the_account_page_sends_the_link_again_and_the_old_one_stops(app, client, make):
    user = make.user(email="anna@example.org")
    user.email_verified_at = None
    db.session.commit()
    login(client, "anna@example.org", PASSWORD)
    page = client.get("/account").get_data(as_text=True)
    assert "not confirmed yet" in page and "Send the link again" in page
    assert post_form(client, "/account/verify", {}, token_from="/account").status_code == 302
    first = mailed_link("anna@example.org", "/account/verify/")
    post_form(client, "/account/verify", {}, token_from="/account")
    second = mailed_link("anna@example.org", "/account/verify/")
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 302
    db.session.refresh(user)
    assert user.email_verified
    post_form(client, "/account/verify", {}, token_from="/account")
    assert "already confirmed" in client.get("/account").get_data(as_text=True)
    assert len(outbox("anna@example.org")) == 2


def test_a_new_address_waits_for_its_link_and_the_old_one_stays(app, client, make):
    user = make.user(email="anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    wrong = post_form(
        client,
        "/account/email",
        {"email-email": "anna.new@example.org", "email-password": "not it at all"},
        token_from="/account",
    )
    assert wrong.status_code == 422 and outbox("anna.new@example.org") == []
    response = post_form(
        client,
        "/account/email",
        {"email-email": "Anna.New@example.org", "email-password": PASSWORD},
        token_from="/account",
    )
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "You asked to use anna.new@example.org" in page
    db.session.refresh(user)
    assert user.email == "anna@example.org" and user.email_verified  # still in use
    link = mailed_link("anna.new@example.org", "/account/verify/")
    assert outbox("anna@example.org") == []
    other = app.test_client()  # the link works from the mailbox, logged in or not
    assert other.get(link).status_code == 302
    db.session.refresh(user)
    assert user.email == "anna.new@example.org" and user.email_verified
    assert login(other, "anna.new@example.org", PASSWORD).status_code == 302


def test_an_address_another_account_has_gets_no_link(app, client, make):
    make.user(email="anna@example.org")
    make.user(email="bruno@example.org")
    login(client, "anna@example.org", PASSWORD)
    response = post_form(
        client,
        "/account/email",
        {"email-email": "bruno@example.org", "email-password": PASSWORD},
        token_from="/account",
    )
    assert response.status_code == 302  # the same answer as for a free address
    assert outbox("bruno@example.org") == []
    assert db.session.scalar(db.select(User).where(User.email == "anna@example.org"))
