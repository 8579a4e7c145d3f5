"""Sessions that end: logout, password change, "log out everywhere" and deactivation end the
session and the remember cookie on the server (``User.session_generation``)."""

from __future__ import annotations

from sqlalchemy import select

from commons.auth.models import User
from commons.extensions import db
from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD

GOOD = "a long walk in the park"
EMAIL = "anna@example.org"


def _login(client, remember=False):
    data = {"email": EMAIL, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = post_form(client, "/login", data)
    assert response.status_code == 302
    return response


def _cookie(client, name):
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _with_cookie(app, name, value):
    """A fresh browser holding only a copy of one cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def _generation() -> int:
    db.session.expire_all()
    return db.session.scalar(select(User.session_generation).where(User.email == EMAIL))


def test_the_login_id_carries_the_generation(app, make):
    user = make.user(email=EMAIL)
    assert user.get_id() == f"{user.id}:0"


def test_a_session_cookie_copied_before_logout_is_refused_after_it(app, make):
    make.user(email=EMAIL)
    browser = app.test_client()
    _login(browser)
    copied = _cookie(browser, "session")
    assert _with_cookie(app, "session", copied).get("/account").status_code == 200
    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})
    assert browser.get("/account").status_code == 302
    assert _with_cookie(app, "session", copied).get("/account").status_code == 302
    assert _generation() == 1


def test_a_remember_cookie_copied_before_logout_is_refused_after_it(app, make):
    make.user(email=EMAIL)
    browser = app.test_client()
    _login(browser, remember=True)
    copied = _cookie(browser, "remember_token")
    # The remember cookie alone opens the account (a browser closed and opened again)...
    assert _with_cookie(app, "remember_token", copied).get("/account").status_code == 200
    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})
    # ... and no longer after the logout.
    assert _with_cookie(app, "remember_token", copied).get("/account").status_code == 302


def test_password_change_keeps_this_session_and_its_remember_cookie_and_ends_the_others(app, make):
    make.user(email=EMAIL)
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop, remember=True)
    _login(phone, remember=True)
    phone_remember = _cookie(phone, "remember_token")
    response = post_form(
        laptop,
        "/account/password",
        {"current_password": PASSWORD, "new_password": GOOD, "confirm": GOOD},
    )
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    # The laptop's remember cookie was issued again: it still opens the account alone.
    laptop_remember = _cookie(laptop, "remember_token")
    assert _with_cookie(app, "remember_token", laptop_remember).get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    assert _with_cookie(app, "remember_token", phone_remember).get("/account").status_code == 302


def test_log_out_everywhere_from_the_account_page(app, make):
    make.user(email=EMAIL)
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop)
    _login(phone, remember=True)
    phone_remember = _cookie(phone, "remember_token")
    page = laptop.get("/account").get_data(as_text=True)
    assert "Log out everywhere" in page and 'action="/account/sessions/end"' in page
    response = post_form(laptop, "/account/sessions/end", {}, token_from="/account")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302
    assert _with_cookie(app, "remember_token", phone_remember).get("/account").status_code == 302
    assert _login(phone) and phone.get("/account").status_code == 200


def test_log_out_everywhere_needs_the_form_token(app, make):
    make.user(email=EMAIL)
    browser = app.test_client()
    _login(browser)
    assert browser.post("/account/sessions/end").status_code == 400
    assert browser.get("/account").status_code == 200
    assert _generation() == 0


def test_deactivation_ends_every_session_and_remember_cookie(app, make):
    make.user("admin", email="admin@example.org")
    user = make.user(email=EMAIL)
    browser = app.test_client()
    _login(browser, remember=True)
    copied = _cookie(browser, "remember_token")
    admin = app.test_client()
    post_form(admin, "/login", {"email": "admin@example.org", "password": PASSWORD})
    response = post_form(admin, f"/admin/users/{user.id}", {"roles": ["citizen"]})
    assert response.status_code == 302
    assert browser.get("/account").status_code == 302
    assert _with_cookie(app, "remember_token", copied).get("/account").status_code == 302
    # Active again, the old cookies stay refused: the generation moved on.
    response = post_form(admin, f"/admin/users/{user.id}", {"roles": ["citizen"], "active": "y"})
    assert response.status_code == 302
    assert _with_cookie(app, "remember_token", copied).get("/account").status_code == 302
    assert _generation() == 1
