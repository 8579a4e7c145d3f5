"""A real OpenID provider for the tests: pyop behind a tiny Flask app, served on 127.0.0.1.

It speaks like a SPID provider behind an OpenID Connect bridge: the fiscal number in the claim
``https://attributes.eid.gov.it/fiscal_number`` with the ``TINIT-`` prefix, the level in
``acr`` (SpidL1..L3). Its login form takes a user name and a level; ``prompt=login`` and
``max_age`` are honoured by always asking (``auth_time`` is the time the form was sent).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from Cryptodome.PublicKey import RSA
from flask import Flask, jsonify, redirect, render_template_string, request
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.exceptions import InvalidAuthenticationRequest, OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo
from werkzeug.serving import make_server

SPID = "https://www.spid.gov.it/"
LEVELS = [SPID + "SpidL1", SPID + "SpidL2", SPID + "SpidL3"]
FISCAL_CLAIM = "https://attributes.eid.gov.it/fiscal_number"
CLIENT_ID = "commons-test"
CLIENT_SECRET = "test-client-secret"  # noqa: S105 - the test provider's own client

USERS = {
    "mario": {
        "given_name": "Mario",
        "family_name": "Rossi",
        "email": "mario.rossi@example.org",
        "email_verified": True,
        FISCAL_CLAIM: "TINIT-RSSMRA85T10A562S",
    },
    "anna": {
        "given_name": "Anna",
        "family_name": "Bianchi",
        "email": "anna.bianchi@example.org",
        "email_verified": False,
        FISCAL_CLAIM: "TINIT-BNCNNA90A41H501T",
    },
}

LOGIN_FORM = """<!doctype html><html lang="en"><head><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
<form method="post" action="/login"><input type="hidden" name="request" value="{{ query }}">
<label for="user">User name</label> <input id="user" name="user">
<label for="level">Level</label>
<select id="level" name="level">{% for l in levels %}<option value="{{ l }}"
{% if loop.index == 2 %}selected{% endif %}>{{ l }}</option>{% endfor %}</select>
<button type="submit">Log in</button></form></main></body></html>"""


@dataclass
class TestProvider:
    url: str
    # What the next logins give, by user name: {"acr": ..., "auth_time": ...}; tests may
    # change USERS' claims through ``users``.
    users: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)

    def settings(self, **overrides) -> dict:
        """The provider's entry in the app's OIDC_PROVIDERS setting."""
        spec = {
            "label": "SPID",
            "discovery_url": f"{self.url}/.well-known/openid-configuration",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": ["openid", "profile", "email"],
            "claims": {"fiscal_number": FISCAL_CLAIM},
            "level_claim": "acr",
            "levels": LEVELS,
            "min_level": LEVELS[1],
        }
        spec.update(overrides)
        return spec


def _app(provider: Provider, state: TestProvider) -> Flask:
    app = Flask(__name__)

    @app.get("/.well-known/openid-configuration")
    def configuration():
        return jsonify(provider.provider_configuration.to_dict())

    @app.get("/jwks")
    def jwks():
        return jsonify(provider.jwks)

    @app.get("/authorize")
    def authorize():
        try:
            provider.parse_authentication_request(urlencode(request.args), request.headers)
        except InvalidAuthenticationRequest as error:
            return str(error), 400
        return render_template_string(LOGIN_FORM, query=urlencode(request.args), levels=LEVELS)

    @app.post("/login")
    def login():
        auth_request = provider.parse_authentication_request(request.form["request"])
        user = request.form.get("user", "")
        if user not in state.users:
            return redirect(
                f"{auth_request['redirect_uri']}?"
                + urlencode({"error": "access_denied", "state": auth_request["state"]})
            )
        state.sessions[user] = {"acr": request.form["level"], "auth_time": int(time.time())}
        response = provider.authorize(auth_request, user)
        return redirect(response.request(auth_request["redirect_uri"]))

    @app.post("/token")
    def token():
        try:
            response = provider.handle_token_request(
                request.get_data().decode(),
                request.headers,
                extra_id_token_claims=lambda user, client: dict(state.sessions[user]),
            )
        except OAuthError as error:
            return jsonify(error=error.oauth_error, error_description=str(error)), 400
        return jsonify(response.to_dict())

    @app.route("/userinfo", methods=["GET", "POST"])
    def userinfo():
        response = provider.handle_userinfo_request(request.get_data().decode(), request.headers)
        return jsonify(response.to_dict())

    return app


def serve(redirect_uris: list[str]):
    """Start a provider on 127.0.0.1 (a random port); returns (TestProvider, stop)."""
    server = make_server("127.0.0.1", 0, None, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    state = TestProvider(url=url, users={k: dict(v) for k, v in USERS.items()})
    configuration = {
        # pyop insists on an https issuer; it is only a name, compared with the ID token's.
        "issuer": url.replace("http://", "https://", 1),
        "authorization_endpoint": f"{url}/authorize",
        "token_endpoint": f"{url}/token",
        "userinfo_endpoint": f"{url}/userinfo",
        "jwks_uri": f"{url}/jwks",
        "scopes_supported": ["openid", "profile", "email"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "subject_types_supported": ["public"],
        "grant_types_supported": ["authorization_code"],
        "claims_parameter_supported": True,
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "acr_values_supported": LEVELS,
    }
    clients = {
        CLIENT_ID: {
            "client_secret": CLIENT_SECRET,
            "redirect_uris": redirect_uris,
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }
    }
    key = RSAKey(key=RSA.generate(2048), alg="RS256", kid="test")
    provider = Provider(
        key,
        configuration,
        AuthorizationState(HashBasedSubjectIdentifierFactory("test-salt")),
        clients,
        Userinfo(state.users),
    )
    server.app = _app(provider, state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        thread.join(timeout=10)

    return state, stop
