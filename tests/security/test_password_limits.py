"""Rate limits on every password check: per account and per client address, wrong passwords
only, 429 on the 11th; ProxyFix behind trusted proxies; Redis down never a 500."""

from __future__ import annotations

import logging
import re

import pytest

from commons import create_app
from commons.extensions import db, limiter
from tests import factories
from tests.api.helpers import Caller, token_for
from tests.conftest import IsolatedClient, csrf_token, login, post_form
from tests.conftest import test_config as app_config
from tests.workflows.scenario import Cast, proposal_in

WRONG = "not the password at all"
EMAIL = "anna@example.org"


@pytest.fixture
def ten(app):
    """The documented default: 10 wrong passwords a minute per address."""
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    app.config["ACCOUNT_RATE_LIMIT"] = "20 per minute"
    return app


def _from(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_login_11th_wrong_password_is_429_and_even_the_right_one_waits(ten, client, make):
    make.user(email=EMAIL)
    codes = [login(client, EMAIL, WRONG).status_code for _ in range(11)]
    assert codes == [422] * 10 + [429]
    response = login(client, EMAIL, factories.PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_only_wrong_passwords_count(ten, client, make):
    make.user(email=EMAIL)
    for _ in range(12):  # right passwords, and forms refused before any password check
        assert login(client, EMAIL, factories.PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        assert post_form(client, "/login", {"email": "", "password": ""}).status_code == 422
    assert login(client, EMAIL, WRONG).status_code == 422


def test_unknown_addresses_are_limited_like_accounts(ten, client):
    codes = [login(client, "nobody@example.org", WRONG).status_code for _ in range(11)]
    assert codes == [422] * 10 + [429]


def test_an_attacker_address_does_not_lock_the_owner_out_until_the_account_limit(ten, make):
    make.user(email=EMAIL)
    attacker, owner = ten.test_client(), ten.test_client()
    codes = [
        post_form(attacker, "/login", {"email": EMAIL, "password": WRONG}, **_from("203.0.113.9"))
        for _ in range(11)
    ]
    assert [r.status_code for r in codes] == [422] * 10 + [429]
    # The owner, from another address, logs in: the attacker's address is what is limited.
    right = {"email": EMAIL, "password": factories.PASSWORD}
    assert post_form(owner, "/login", right, **_from("198.51.100.7")).status_code == 302
    # Many addresses together reach the per-account limit (20 here): then the account waits.
    for n in range(10):
        post_form(attacker, "/login", {"email": EMAIL, "password": WRONG}, **_from(f"192.0.2.{n}"))
    other = ten.test_client()
    assert post_form(other, "/login", right, **_from("198.51.100.8")).status_code == 429


def test_password_change_11th_wrong_current_password_is_429(ten, client, make):
    make.user(email=EMAIL)
    login(client, EMAIL, factories.PASSWORD)
    good = "a long walk in the park"
    data = {"current_password": WRONG, "new_password": good, "confirm": good}
    codes = [post_form(client, "/account/password", data).status_code for _ in range(11)]
    assert codes == [422] * 10 + [429]
    right = {**data, "current_password": factories.PASSWORD}
    assert post_form(client, "/account/password", right).status_code == 429


def _sign_form(client, url, signer, password):
    page = client.get(url).get_data(as_text=True)
    return {
        "csrf_token": csrf_token(client, url),
        "expected_version": re.search(r'name="expected_version" value="(\d+)"', page).group(1),
        "full_name": signer.full_name,
        "consent": "y",
        "password": password,
    }


def test_web_sign_11th_wrong_password_is_429(ten):
    cast = Cast()
    pid = proposal_in("awaiting_signatures", cast, for_signer="legal").id
    client = ten.test_client()
    login(client, cast.legal.email)
    url = f"/proposals/{pid}"
    codes = []
    for _ in range(11):
        form = _sign_form(client, url, cast.legal, WRONG)
        codes.append(client.post(f"{url}/actions/sign", data=form).status_code)
    assert codes == [422] * 10 + [429]
    form = _sign_form(client, url, cast.legal, factories.PASSWORD)
    assert client.post(f"{url}/actions/sign", data=form).status_code == 429


def test_api_sign_11th_wrong_password_is_429_problem(ten):
    cast = Cast()
    proposal = proposal_in("awaiting_signatures", cast, for_signer="legal")
    caller = Caller(ten.test_client(), token_for(cast.legal))
    data = {"full_name": cast.legal.full_name, "consent": "y"}
    codes = [caller.fire(proposal.id, "sign", password=WRONG, **data) for _ in range(11)]
    assert [r.status_code for r in codes] == [422] * 10 + [429]
    last = codes[-1]
    assert last.content_type == "application/problem+json"
    assert "Too many attempts" in last.get_json()["detail"]


def test_trusted_proxies_give_the_real_client_address(app, database_url):
    # ``app``: its teardown empties the tables these apps write to.
    headers = {"X-Forwarded-For": "203.0.113.50"}
    for hops, seen in ((0, "127.0.0.1"), (1, "203.0.113.50")):
        proxied = create_app({**app_config(database_url), "TRUSTED_PROXIES": hops})

        @proxied.get("/_whoami")
        def whoami():
            from flask import request

            return request.remote_addr or ""

        answer = proxied.test_client().get("/_whoami", headers=headers)
        assert answer.get_data(as_text=True) == seen


def test_behind_a_proxy_one_client_does_not_lock_out_the_others(app, database_url):
    app = create_app({**app_config(database_url), "TRUSTED_PROXIES": 1})
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    app.test_client_class = IsolatedClient
    with app.app_context():
        factories.user(email=EMAIL)
        factories.user(email="bruno@example.org")
        proxy = {"REMOTE_ADDR": "10.0.0.1"}  # every request comes from the proxy
        attacker = app.test_client()
        for _ in range(11):
            last = post_form(
                attacker,
                "/login",
                {"email": EMAIL, "password": WRONG},
                headers={"X-Forwarded-For": "203.0.113.9"},
                environ_base=proxy,
            )
        assert last.status_code == 429  # the client behind the proxy, not the proxy, waits
        right = {"email": "bruno@example.org", "password": factories.PASSWORD}
        response = post_form(
            app.test_client(),
            "/login",
            right,
            headers={"X-Forwarded-For": "198.51.100.7"},
            environ_base=proxy,
        )
        assert response.status_code == 302
        db.session.remove()


def test_redis_down_login_still_works_and_is_logged_once(app, database_url, caplog):
    closed = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app = create_app({**app_config(database_url), "RATELIMIT_STORAGE_URI": closed})
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    app.test_client_class = IsolatedClient
    assert app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_connect_timeout"] <= 1
    try:
        with app.app_context():
            factories.user(email=EMAIL)
            client = app.test_client()
            with caplog.at_level(logging.WARNING, logger="commons.auth.attempts"):
                codes = [login(client, EMAIL, WRONG).status_code for _ in range(11)]
            # Counted in memory meanwhile: still limited, never a 500.
            assert codes == [422] * 10 + [429]
            unreachable = [r for r in caplog.records if "unreachable" in r.getMessage()]
            assert len(unreachable) == 1
            fresh = app.test_client()
            right = {"email": EMAIL, "password": factories.PASSWORD}
            assert post_form(fresh, "/login", right, **_from("198.51.100.7")).status_code == 302
            db.session.remove()
    finally:
        create_app(app_config(database_url))  # the shared limiter back on memory://
        limiter.reset()
