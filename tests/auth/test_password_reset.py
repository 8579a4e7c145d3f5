"""Forgot your password? A link by e-mail, once, for a short time; every session ends after."""

from __future__ import annotations

from datetime import timedelta

from commons.auth.models import AccountToken
from commons.db import utcnow
from commons.extensions import db
from tests.auth.mail import mailed_link, outbox, same_page
from tests.conftest import login, post_form
from tests.factories import PASSWORD

NEW = "a quiet morning by the river"


def _forgot(client, email):
    return post_form(client, "/account/forgot", {"email": email})


def test_the_whole_journey_ends_every_session(app, make):
    make.user(email="anna@example.org")
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "anna@example.org", PASSWORD)
    assert phone.get("/account").status_code == 200
    assert "Forgot your password?" in laptop.get("/login").get_data(as_text=True)
    response = _forgot(laptop, "Anna@Example.org")
    assert response.status_code == 200
    assert "we sent it a link" in response.get_data(as_text=True)
    link = mailed_link("anna@example.org", "/account/reset/")
    page = laptop.get(link).get_data(as_text=True)
    assert "Choose a new password" in page and "anna@example.org" in page
    # The same password rules as everywhere.
    weak = post_form(laptop, link, {"new_password": "password1", "confirm": "password1"})
    assert weak.status_code == 422 and "Use at least 10 characters." in weak.get_data(as_text=True)
    response = post_form(laptop, link, {"new_password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "every session is logged out" in laptop.get("/login").get_data(as_text=True)
    assert phone.get("/account").status_code == 302  # the other session ended
    assert login(laptop, "anna@example.org", PASSWORD).status_code == 422  # old one refused
    assert login(laptop, "anna@example.org", NEW).status_code == 302
    # The link is spent: it opens nothing a second time.
    other = app.test_client()
    assert other.get(link).status_code == 410
    assert (
        post_form(
            other, link, {"new_password": NEW, "confirm": NEW}, token_from="/login"
        ).status_code
        == 410
    )


def test_a_known_and_an_unknown_address_get_the_same_page(app, make):
    make.user(email="anna@example.org")
    known = _forgot(app.test_client(), "anna@example.org")
    unknown = _forgot(app.test_client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert same_page(
        known.get_data(as_text=True),
        unknown.get_data(as_text=True),
        "anna@example.org",
        "nobody@example.org",
    )
    assert len(outbox("anna@example.org")) == 1 and outbox("nobody@example.org") == []


def test_an_expired_link_is_refused(app, client, make):
    make.user(email="anna@example.org")
    _forgot(client, "anna@example.org")
    link = mailed_link("anna@example.org", "/account/reset/")
    token = db.session.scalars(db.select(AccountToken)).one()
    token.expires_at -= timedelta(hours=1, seconds=1)
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    assert "This link no longer works" in response.get_data(as_text=True)
    assert login(client, "anna@example.org", PASSWORD).status_code == 302  # password unchanged


def test_a_newer_link_replaces_the_earlier_one(app, client, make):
    make.user(email="anna@example.org")
    _forgot(client, "anna@example.org")
    first = mailed_link("anna@example.org", "/account/reset/")
    _forgot(client, "anna@example.org")
    second = mailed_link("anna@example.org", "/account/reset/")
    assert first != second
    assert client.get(first).status_code == 410 and client.get(second).status_code == 200


def test_requests_are_limited_per_address_and_per_client(app, make):
    app.config["RESET_RATE_LIMIT"] = "2 per hour"
    make.user(email="anna@example.org")
    client = app.test_client()
    assert [_forgot(client, "anna@example.org").status_code for _ in range(3)] == [200, 200, 429]
    # Another client asking for the same address is limited too (per address)...
    assert _forgot(app.test_client(), "anna@example.org").status_code == 429
    # ...and one client asking for many addresses stops at four times the limit.
    statuses = [_forgot(client, f"p{i}@example.org").status_code for i in range(8)]
    assert statuses[:5] == [200] * 5 and statuses[-1] == 429
    assert statuses.count(200) <= 6  # 8 in all from this client, 2 of them above
    assert len(outbox("anna@example.org")) == 2


def test_the_link_leaves_the_outbox_once_mailed(app, make, monkeypatch):
    from commons.notifications import mail

    make.user(email="anna@example.org")
    _forgot(app.test_client(), "anna@example.org")
    sent = []

    class FakeSMTP:
        def send_message(self, message):
            sent.append(message.get_content())

        def quit(self):
            pass

    app.config["SMTP_HOST"] = "mail.example"
    monkeypatch.setattr(mail, "_connect", FakeSMTP)
    report = mail.send_due(utcnow())
    [note] = outbox("anna@example.org")
    assert report.sent == [note.id]
    assert "/account/reset/" in sent[0]
    db.session.refresh(note)
    assert note.body == ""
