"""Registration, login, sessions, CSRF and rate limits, as a person using the site sees them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commons.auth.models import Role, User
from commons.extensions import db
from tests.auth.mail import mailed_link, outbox, same_page
from tests.conftest import TEST_REDIS_URL, csrf_token, login, post_form
from tests.factories import PASSWORD

GOOD = "a long walk in the park"
REDIS_URL = TEST_REDIS_URL


def register(client, **overrides):
    data = {
        "full_name": "Maria Rossi",
        "email": "maria@example.org",
        "password": GOOD,
        "confirm": GOOD,
        "locale": "en",
        "privacy": "y",
        "notice_version": "0",
    }
    data.update(overrides)
    return post_form(client, "/register", data)


def test_register_creates_an_unverified_citizen_confirmed_by_the_mailed_link(client):
    response = register(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check your e-mail" in page and "We sent a message to maria@example.org" in page
    user = db.session.scalar(select(User).where(User.email == "maria@example.org"))
    assert user.roles == {Role.CITIZEN}
    assert user.password_hash.startswith("$argon2id$")
    assert user.email_verified_at is None
    assert client.get("/account").status_code == 302  # not logged in by registering
    # An unverified account may log in (and draft); its page says what is missing.
    assert login(client, "maria@example.org", GOOD).status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "not confirmed yet" in page and "Send the link again" in page
    link = mailed_link("maria@example.org", "/account/verify/")
    response = client.get(link)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email_verified_at is not None
    page = client.get("/account").get_data(as_text=True)
    assert "is confirmed" in page and "not confirmed yet" not in page
    assert client.get(link).status_code == 410  # used once


def test_register_with_a_taken_address_answers_the_same_and_mails_the_owner(app, make):
    owner = make.user(email="maria@example.org")
    before = owner.password_hash
    new_page = register(app.test_client(), email="nuovo@example.org").get_data(as_text=True)
    response = register(app.test_client(), email="Maria@Example.org ", full_name="Maria B")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert same_page(page, new_page, "maria@example.org", "nuovo@example.org")
    assert "already exists" not in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 2
    db.session.refresh(owner)
    assert owner.password_hash == before and owner.full_name != "Maria B"
    [note] = outbox("maria@example.org")
    assert note.kind == "account_exists"
    assert "Someone tried to open an account" in note.body and "/account/forgot" in note.body


def test_register_weak_password_refused_with_reason(client):
    response = register(client, password="password1", confirm="password1")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Use at least 10 characters." in page
    assert 'value="Maria Rossi"' in page
    response = register(client, password="password123", confirm="password123")
    assert "among the most used" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "maria@example.org")) is None


def test_register_mismatched_confirmation(client):
    response = register(client, confirm="something else entirely")
    assert response.status_code == 422
    assert "The two passwords differ." in response.get_data(as_text=True)


def test_login_and_logout(client, make):
    make.user(email="anna@example.org", name="Anna Verdi")
    response = login(client, "anna@example.org", PASSWORD)
    assert response.status_code == 302
    assert "Anna Verdi" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302  # back to the login page


def test_login_wrong_password_says_so_without_revealing_which(client, make):
    make.user(email="anna@example.org")
    response = login(client, "anna@example.org", "not the password")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The e-mail address or the password is not right." in page
    assert 'value="anna@example.org"' in page
    unknown = login(client, "nobody@example.org", "not the password")
    assert "The e-mail address or the password is not right." in unknown.get_data(as_text=True)


def test_login_next_only_follows_local_paths(client, make):
    make.user(email="anna@example.org")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": "anna@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_repeated_wrong_passwords_are_rate_limited(client, make):
    make.user(email="anna@example.org")
    codes = [login(client, "anna@example.org", "wrong password!").status_code for _ in range(6)]
    assert codes[:5] == [422] * 5
    assert codes[5] == 429
    # Even the right password is refused while the limit holds.
    response = login(client, "anna@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


@pytest.mark.skipif(not REDIS_URL, reason="COMMONS_TEST_REDIS_URL not set (CI sets it)")
def test_rate_limit_counts_live_in_redis(app, client, make):
    """With Redis configured, failed logins are counted in Redis, shared by every process."""
    import redis

    from commons.extensions import limiter

    store = redis.Redis.from_url(REDIS_URL)
    store.flushdb()
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    limiter.init_app(app)  # re-initialise the storage with the Redis URL
    try:
        make.user(email="anna@example.org")
        codes = [login(client, "anna@example.org", "nope nope").status_code for _ in range(6)]
        assert codes == [422] * 5 + [429]
        assert any(b"LIMITER" in key for key in store.keys("*"))
        store.flushdb()  # another process clearing the shared count frees this one too
        assert login(client, "anna@example.org", "nope nope").status_code == 422
    finally:
        store.flushdb()
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
        limiter.init_app(app)


def test_post_without_csrf_token_is_refused(client, make):
    make.user(email="anna@example.org")
    response = client.post("/login", data={"email": "anna@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    response = client.post(
        "/register",
        data={"full_name": "X", "email": "x@example.org", "password": GOOD, "confirm": GOOD},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_password_change_logs_out_other_sessions(app, make):
    make.user(email="anna@example.org")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "anna@example.org", PASSWORD)
    login(phone, "anna@example.org", PASSWORD)
    assert phone.get("/account").status_code == 200
    response = post_form(
        laptop,
        "/account/password",
        {"current_password": PASSWORD, "new_password": GOOD, "confirm": GOOD},
    )
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200  # this session goes on
    assert phone.get("/account").status_code == 302  # the other one is logged out
    assert login(phone, "anna@example.org", GOOD).status_code == 302


def test_password_change_needs_current_password(client, make):
    make.user(email="anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    response = post_form(
        client,
        "/account/password",
        {"current_password": "not it at all", "new_password": GOOD, "confirm": GOOD},
    )
    assert response.status_code == 422
    assert "The current password is not right." in response.get_data(as_text=True)


def test_account_details_saved(client, make):
    make.user(email="anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    response = post_form(
        client,
        "/account",
        {"full_name": "Anna Maria Verdi", "tax_code": "vrdnnm80a41a944k", "locale": "it"},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "anna@example.org"))
    assert (user.full_name, user.tax_code, user.locale) == (
        "Anna Maria Verdi",
        "VRDNNM80A41A944K",
        "it",
    )


def test_session_cookie_is_protected(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_PROTECTION"] == "strong"
    from commons.config import load_config

    assert load_config()["SESSION_COOKIE_SECURE"] is True  # production default


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
