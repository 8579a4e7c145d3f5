"""Personal access tokens: made and revoked on the account page, stored hashed, refused dead."""

from __future__ import annotations

import hashlib
import re

from commons.api.models import ApiToken
from commons.auth import operations as auth_ops
from commons.extensions import db
from tests.api.helpers import Caller, token_for
from tests.conftest import login, post_form


def test_token_made_on_the_account_page_is_shown_once_and_stored_hashed(client, make):
    user = make.user(email="rita@example.org")
    login(client, "rita@example.org")
    assert "/account/tokens" in client.get("/account").get_data(as_text=True)
    made = post_form(client, "/account/tokens", {"name": "Protocol system"})
    assert made.status_code == 201
    html = made.get_data(as_text=True)
    secret = re.search(r'id="new-token"[^>]*value="(cmn_[^"]+)"', html).group(1)
    assert made.headers["Cache-Control"] == "no-store"

    token = db.session.scalars(db.select(ApiToken)).one()
    assert token.name == "Protocol system" and token.user_id == user.id
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in (token.prefix, token.token_hash)
    # Listed afterwards by its name and first characters, never in full.
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "Protocol system" in listing and token.prefix in listing and secret not in listing

    me = Caller(client, secret).get("/me")
    assert me.status_code == 200 and me.get_json()["email"] == "rita@example.org"
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_a_token_needs_a_name(client, make):
    make.user(email="rita@example.org")
    login(client, "rita@example.org")
    refused = post_form(client, "/account/tokens", {"name": "  "})
    assert refused.status_code == 422
    assert "Give the token a name." in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_revoked_token_is_refused(client, make):
    make.user(email="rita@example.org")
    secret = token_for(db.session.scalars(db.select(auth_ops.User)).one())
    caller = Caller(client, secret)
    assert caller.get("/me").status_code == 200
    login(client, "rita@example.org")
    token = db.session.scalars(db.select(ApiToken)).one()
    revoked = post_form(
        client, f"/account/tokens/{token.id}/revoke", {}, token_from="/account/tokens"
    )
    assert revoked.status_code == 302
    refused = Caller(client.application.test_client(), secret).get("/me")
    assert refused.status_code == 401
    assert refused.content_type == "application/problem+json"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in refused.get_json()["detail"]


def test_someone_elses_token_cannot_be_revoked(client, make):
    owner = make.user()
    token_for(owner)
    make.user(email="mallory@example.org")
    login(client, "mallory@example.org")
    token = db.session.scalars(db.select(ApiToken)).one()
    response = post_form(
        client, f"/account/tokens/{token.id}/revoke", {}, token_from="/account/tokens"
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_token_of_a_deactivated_user_is_refused(client, make):
    user = make.user()
    secret = token_for(user)
    assert Caller(client, secret).get("/me").status_code == 200
    user.active = False
    db.session.commit()
    assert Caller(client, secret).get("/me").status_code == 401


def test_wrong_or_malformed_credentials_are_refused_not_ignored(client, make):
    make.commons()
    for header in ("Bearer cmn_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer ", "cmn_x"):
        response = client.get("/api/v1/commons", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.get_json()["type"] == "urn:commons:problem:unauthenticated"
    # Without any credential the public register is readable, as on the web.
    assert client.get("/api/v1/commons").status_code == 200


def test_the_session_cookie_does_not_authenticate_the_api(client, make):
    make.user(email="rita@example.org")
    login(client, "rita@example.org")
    assert client.get("/account").status_code == 200  # logged in on the site
    assert client.get("/api/v1/me").status_code == 401  # but the API wants a token


def test_api_needs_no_csrf_token(client, make):
    officer = make.user("officer")
    response = Caller(client, token_for(officer)).post(
        "/commons", json={"name": "New park", "kind": "park", "address": "Via Nuova 1"}
    )
    assert response.status_code == 201
