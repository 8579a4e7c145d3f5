"""Login with SPID/CIE/eIDAS through OpenID Connect, against a real provider on 127.0.0.1.

The provider (pyop, tests/oidc_provider.py) speaks like SPID behind an OIDC bridge: the fiscal
number with its TINIT- prefix, the level in acr. The app's side is the real Authlib client:
state, nonce and PKCE, the token exchange and the ID token's signature are all checked.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.auth import oidc
from commons.auth.models import User
from commons.documents.models import Signature
from commons.extensions import db
from tests import factories as make
from tests.conftest import csrf_token, login, post_form
from tests.oidc_provider import LEVELS

MARIO_CF = "RSSMRA85T10A562S"


def _at_provider(spid, response, user: str, level: str = LEVELS[1]) -> str:
    """Log in at the provider from the app's redirect; return the app's callback path."""
    assert response.status_code == 302, response.get_data(as_text=True)
    authorize = response.headers["Location"]
    assert authorize.startswith(spid.url + "/authorize")
    query = parse_qs(urlsplit(authorize).query)
    # Authlib made the state, the nonce and the PKCE challenge.
    assert query["state"] and query["nonce"] and query["code_challenge_method"] == ["S256"]
    form = requests.get(authorize, timeout=10)
    assert form.status_code == 200 and "User name" in form.text
    back = requests.post(
        f"{spid.url}/login",
        data={"request": urlsplit(authorize).query, "user": user, "level": level},
        allow_redirects=False,
        timeout=10,
    )
    location = urlsplit(back.headers["Location"])
    return f"{location.path}?{location.query}"


def _spid_login(client, spid, user: str = "mario", level: str = LEVELS[1]):
    start = post_form(client, "/login/id/spid", {}, token_from="/login")
    return client.get(_at_provider(spid, start, user, level))


def test_first_login_creates_the_account_and_the_second_finds_it(app, client, spid):
    page = client.get("/login").get_data(as_text=True)
    assert "Log in with SPID" in page

    first = _spid_login(client, spid)
    assert first.status_code == 302, first.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.tax_code == MARIO_CF))
    assert user.full_name == "Mario Rossi" and user.email == "mario.rossi@example.org"
    assert user.email_verified  # the provider said it verified the address
    assert user.tax_code_confirmed_by == "spid" and not user.has_password
    assert "Mario Rossi" in client.get("/account").get_data(as_text=True)

    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    second = _spid_login(client, spid)
    assert second.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1
    assert client.get("/account").status_code == 200


def test_an_unverified_address_is_confirmed_the_usual_way(app, client, spid):
    _spid_login(client, spid, "anna")
    anna = db.session.scalar(select(User).where(User.tax_code == "BNCNNA90A41H501T"))
    assert anna is not None and not anna.email_verified
    page = client.get("/account").get_data(as_text=True)
    assert "not confirmed yet" in page


def test_an_account_with_the_same_address_is_not_taken_over(app, client, spid):
    owner = make.user(email="mario.rossi@example.org", name="Someone Else")
    db.session.commit()
    response = _spid_login(client, spid)
    assert response.status_code == 409
    assert "we do not link them by themselves" in response.get_data(as_text=True)
    db.session.refresh(owner)
    assert owner.tax_code is None and client.get("/account").status_code == 302

    # Its owner logs in with the password and links the identity from the account page.
    login(client, owner.email)
    start = post_form(client, "/login/id/spid/link", {}, token_from="/account")
    linked = client.get(_at_provider(spid, start, "mario"))
    assert linked.status_code == 302
    db.session.refresh(owner)
    assert owner.tax_code == MARIO_CF and owner.tax_code_confirmed_by == "spid"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert _spid_login(client, spid).status_code == 302
    assert "Someone Else" in client.get("/account").get_data(as_text=True)


def test_a_level_too_low_is_refused(app, client, spid):
    response = _spid_login(client, spid, level=LEVELS[0])
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "level SpidL1" in text and "at least SpidL2" in text
    assert db.session.scalar(select(User)) is None


def test_a_wrong_state_or_a_refusal_answers_a_page_not_a_500(app, client, spid):
    start = post_form(client, "/login/id/spid", {}, token_from="/login")
    callback = _at_provider(spid, start, "mario")
    forged = callback.replace("state=", "state=forged")
    response = client.get(forged)
    assert response.status_code == 400
    assert "not started in this browser" in response.get_data(as_text=True)
    # The real answer cannot be used after that either: the login was spent.
    assert client.get(callback).status_code == 400

    start = post_form(client, "/login/id/spid", {}, token_from="/login")
    denied = client.get(_at_provider(spid, start, "nobody"))
    assert denied.status_code == 403
    assert "cancelled or refused" in denied.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_a_wrong_nonce_is_refused(app, client, spid, monkeypatch):
    start = post_form(client, "/login/id/spid", {}, token_from="/login")
    callback = _at_provider(spid, start, "mario")
    with client.session_transaction() as session:
        key = next(k for k in session if k.startswith("_state_spid_"))
        data = dict(session[key])
        data["data"] = {**data["data"], "nonce": "another-nonce"}
        session[key] = data
    response = client.get(callback)
    assert response.status_code == 400
    assert "could not be verified" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_logout_everywhere_ends_an_oidc_session(app, client, spid):
    _spid_login(client, spid)
    copied = client.get_cookie("session").value
    client.post("/account/sessions/end", data={"csrf_token": csrf_token(client, "/account")})
    client.set_cookie("session", copied)
    assert client.get("/account").status_code == 302


def test_signing_from_an_oidc_session_needs_a_fresh_login_and_records_it(app, client, spid):
    p = make.proposal(state="awaiting_signatures")
    rep = p.group.representative
    rep.tax_code, rep.tax_code_confirmed_by = MARIO_CF, "spid"
    db.session.commit()
    _spid_login(client, spid, level=LEVELS[2])
    case = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Sign with SPID" in case and 'name="password"' not in case

    url = f"/proposals/{p.id}/sign/with/spid"
    data = {"full_name": rep.full_name, "consent": "y", "expected_version": p.lock_version}
    start = post_form(client, url, data, token_from=f"/proposals/{p.id}")
    assert "prompt=login" in start.headers["Location"]
    assert "max_age=0" in start.headers["Location"]
    done = client.get(_at_provider(spid, start, "mario", LEVELS[2]))
    assert done.status_code == 302, done.get_data(as_text=True)

    signature = db.session.scalar(select(Signature).where(Signature.proposal_id == p.id))
    assert (signature.identity_provider, signature.assurance_level) == ("spid", LEVELS[2])
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.trigger == "sign", AuditEvent.proposal_id == p.id)
    )
    assert event.payload["signature"]["identity_provider"] == "spid"
    assert event.payload["signature"]["assurance_level"] == LEVELS[2]
    history = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Identity checked with SPID, level SpidL3." in history
    verify = client.get(f"/pacts/{p.id}/verify").get_data(as_text=True)
    assert "SPID, level SpidL3" in verify


def test_the_proof_of_a_fresh_login_cannot_be_typed_as_a_password(app, client, spid):
    p = make.proposal(state="awaiting_signatures")
    rep = p.group.representative
    rep.tax_code, rep.tax_code_confirmed_by = MARIO_CF, "spid"
    db.session.commit()
    _spid_login(client, spid)
    response = post_form(
        client,
        f"/proposals/{p.id}/actions/sign",
        {"full_name": rep.full_name, "consent": "y", "password": "reauth:guess"},
        token_from=f"/proposals/{p.id}",
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Signature)) is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [("TINIT-rssmra85t10a562s", MARIO_CF), (" RSSMRA85T10A562S ", MARIO_CF), ("DE-123", "DE-123")],
)
def test_fiscal_numbers_are_normalised(given, expected):
    assert oidc.normalise_fiscal_number(given) == expected


def test_a_fiscal_number_with_a_wrong_check_digit_is_refused():
    with pytest.raises(ValueError):
        oidc.normalise_fiscal_number("TINIT-RSSMRA85T10A562X")


def test_settings_name_what_is_missing():
    with pytest.raises(oidc.ProviderSettingsError, match="client_secret or private_key"):
        oidc._provider("cie", {"label": "CIE", "discovery_url": "x", "client_id": "c"})
    with pytest.raises(oidc.ProviderSettingsError, match="min_level"):
        oidc._provider(
            "cie",
            {
                "label": "CIE",
                "discovery_url": "x",
                "client_id": "c",
                "client_secret": "s",
                "levels": ["a"],
                "min_level": "b",
            },
        )


def test_a_private_key_signs_the_client_at_the_token_endpoint(app, tmp_path):
    """private_key_jwt: the token request carries a JWT signed with the configured key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "cie.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    app.config["OIDC_PROVIDERS"] = {
        "cie": {
            "label": "CIE",
            "discovery_url": "https://id.example.org/.well-known/openid-configuration",
            "client_id": "https://commons.example.org/",
            "private_key": str(pem),
        }
    }
    oidc.install(app)
    session = oidc.client("cie")._get_oauth_client(token_endpoint="https://id.example.org/token")
    auth = session.client_auth(session.token_endpoint_auth_method)
    request = requests.Request(
        "POST", "https://id.example.org/token", data={"grant_type": "authorization_code"}
    ).prepare()
    body = parse_qs(auth(request).body)
    assert body["client_assertion_type"] == [
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    ]
    public = RSAKey.import_key(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    claims = jwt.decode(body["client_assertion"][0], public).claims
    assert claims["iss"] == claims["sub"] == "https://commons.example.org/"
    assert claims["aud"] == "https://id.example.org/token"


def test_the_callback_is_rate_limited(app, client, spid):
    answers = [client.get("/login/id/spid/callback?code=x&state=y").status_code for _ in range(6)]
    assert answers[:5] == [400] * 5 and answers[5] == 429
