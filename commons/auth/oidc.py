"""Identity providers reached through OpenID Connect: SPID, CIE id, eIDAS (issue 16).

The providers are settings (``COMMONS_OIDC_PROVIDERS``, a TOML file; docs/admins.md, "Login
with SPID, CIE and eIDAS"): for each, its label, discovery URL, client id and a client secret
or a private key (``private_key_jwt``), scopes, the claims that give the fiscal number, names
and e-mail, the claim that gives the level of assurance, the levels from lowest to highest and
the lowest one accepted. Authlib is the client: it makes the state, the nonce and the PKCE
verifier, checks them on the way back and checks the ID token's signature, issuer, audience and
expiry. This module turns the checked claims into an ``Identity``.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app
from stdnum.it import codicefiscale

# Where each provider's claims are found, unless its settings say otherwise.
DEFAULT_CLAIMS = {
    "fiscal_number": "fiscal_number",
    "given_name": "given_name",
    "family_name": "family_name",
    "email": "email",
    "email_verified": "email_verified",
}
# SPID gives the fiscal number as an eIDAS-style identifier: TINIT-<codice fiscale>.
_TIN_PREFIX = re.compile(r"^TIN[A-Z]{2}-", re.IGNORECASE)
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
PASSWORD = "password"  # noqa: S105 - the identity provider of a signature made with the local password


class ProviderSettingsError(ValueError):
    """A provider's settings are incomplete or wrong; the message names the key."""


@dataclass(frozen=True)
class Provider:
    """One identity provider as the city configured it."""

    name: str
    label: str
    discovery_url: str
    client_id: str
    client_secret: str | None = None
    private_key: str | None = None  # path of a PEM key: private_key_jwt at the token endpoint
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    claims: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CLAIMS))
    level_claim: str = "acr"
    levels: tuple[str, ...] = ()
    min_level: str | None = None

    def rank(self, level: str | None) -> int:
        """The place of ``level`` among the provider's levels (-1: not one of them)."""
        try:
            return self.levels.index(level or "")
        except ValueError:
            return -1

    def level_enough(self, level: str | None) -> bool:
        """Whether ``level`` is at least the lowest one accepted (any, when none is set)."""
        if not self.min_level:
            return True
        return self.rank(level) >= self.rank(self.min_level)

    def authorize_params(self) -> dict:
        """What every authorization request carries besides state, nonce and PKCE: the claims
        wanted (SPID and CIE OpenID Connect ask for them by name) and the lowest level."""
        wanted = {claim: None for key, claim in self.claims.items() if key != "email_verified"}
        params = {"claims": json.dumps({"userinfo": wanted, "id_token": wanted})}
        if self.min_level:
            accepted = self.levels[self.rank(self.min_level) :] or (self.min_level,)
            params["acr_values"] = " ".join(reversed(accepted))
        return params


@dataclass(frozen=True)
class Identity:
    """Who the provider says logged in, from checked claims."""

    provider: str
    subject: str
    fiscal_number: str | None
    given_name: str
    family_name: str
    email: str | None
    email_verified: bool
    level: str | None
    auth_time: int | None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p).strip()


def normalise_fiscal_number(value: str | None) -> str | None:
    """The fiscal number without SPID's ``TINIT-`` prefix, upper-case; None when empty.

    One that looks Italian (16 characters, or 11 digits for a company) must pass the check
    digit of ``stdnum.it.codicefiscale``; others (an eIDAS identifier from another country)
    are kept as given.
    """
    text = re.sub(r"\s+", "", str(value or "")).upper()
    text = _TIN_PREFIX.sub("", text)
    if not text:
        return None
    if len(text) == 16 or (len(text) == 11 and text.isdigit()):
        if not codicefiscale.is_valid(text):
            raise ValueError(text)
    return text


def _provider(name: str, raw: dict) -> Provider:
    def need(key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ProviderSettingsError(f"identity provider {name!r}: {key} is required")
        return value.strip()

    if not _NAME.match(name):
        raise ProviderSettingsError(
            f"identity provider {name!r}: a name is lower-case letters, digits and _"
        )
    secret = os.environ.get(f"COMMONS_OIDC_{name.upper()}_CLIENT_SECRET") or raw.get(
        "client_secret"
    )
    key = raw.get("private_key")
    if not secret and not key:
        raise ProviderSettingsError(
            f"identity provider {name!r}: give client_secret or private_key"
        )
    if key and not Path(key).is_file():
        raise ProviderSettingsError(f"identity provider {name!r}: private_key {key!r} not found")
    claims = dict(DEFAULT_CLAIMS)
    claims.update({k: str(v) for k, v in (raw.get("claims") or {}).items()})
    unknown = set(claims) - set(DEFAULT_CLAIMS)
    if unknown:
        raise ProviderSettingsError(
            f"identity provider {name!r}: unknown claims {', '.join(sorted(unknown))} "
            f"(known: {', '.join(DEFAULT_CLAIMS)})"
        )
    levels = tuple(str(v) for v in raw.get("levels") or ())
    min_level = raw.get("min_level") or None
    if min_level and min_level not in levels:
        raise ProviderSettingsError(
            f"identity provider {name!r}: min_level {min_level!r} is not one of levels"
        )
    scopes = tuple(raw.get("scopes") or ("openid", "profile", "email"))
    if "openid" not in scopes:
        scopes = ("openid", *scopes)
    return Provider(
        name=name,
        label=need("label"),
        discovery_url=need("discovery_url"),
        client_id=need("client_id"),
        client_secret=None if key else secret,
        private_key=key,
        scopes=scopes,
        claims=claims,
        level_claim=str(raw.get("level_claim") or "acr"),
        levels=levels,
        min_level=min_level,
    )


def read_settings(path: str | None) -> dict:
    """The providers' table from the TOML file at ``path`` (none: no providers)."""
    if not path:
        return {}
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ProviderSettingsError(f"COMMONS_OIDC_PROVIDERS {path}: {error}") from error


def install(app: Flask) -> None:
    """Check the configured providers and register each with Authlib's Flask client."""
    from authlib.integrations.flask_client import OAuth
    from authlib.oauth2.rfc7523 import PrivateKeyJWT

    raw = app.config.get("OIDC_PROVIDERS") or {}
    providers = {name: _provider(name, dict(spec)) for name, spec in raw.items()}
    oauth = OAuth(app)
    for provider in providers.values():
        client_kwargs = {"scope": " ".join(provider.scopes), "code_challenge_method": "S256"}
        extra = {}
        secret = provider.client_secret
        if provider.private_key:
            secret = Path(provider.private_key).read_text()
            client_kwargs["token_endpoint_auth_method"] = "private_key_jwt"  # noqa: S105
            extra["client_auth_methods"] = [PrivateKeyJWT()]
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs=client_kwargs,
            **extra,
        )
    app.extensions["commons.oidc"] = {"providers": providers, "oauth": oauth}
    if "identity_providers" not in app.jinja_env.globals:  # installed again: settings only
        app.add_template_global(configured, "identity_providers")
        app.add_template_global(signing_provider, "signing_provider")
        app.add_template_filter(label, "identity_provider_label")
        app.add_template_filter(level_label, "assurance_label")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def form_action_origins() -> list[str]:
    """Where the login and sign forms may lead: each provider's discovery origin, and its
    authorization endpoint's once its metadata is known."""
    state = current_app.extensions.get("commons.oidc")
    if not state or not state["providers"]:
        return []
    origins = {_origin(p.discovery_url) for p in state["providers"].values()}
    for name in state["providers"]:
        metadata = state["oauth"].create_client(name).server_metadata or {}
        origins.add(_origin(metadata.get("authorization_endpoint") or ""))
    return sorted(o for o in origins if o)


def configured() -> list[Provider]:
    """The identity providers the login page offers, in the order of the settings."""
    return list(providers().values())


def signing_provider(user) -> Provider | None:
    """The provider ``user`` signs with (their session was opened there), or None: a password."""
    from commons.auth.reauth import session_provider

    return providers().get(session_provider(user) or "")


def providers() -> dict[str, Provider]:
    """The configured identity providers, by name (in the order of the settings)."""
    return current_app.extensions.get("commons.oidc", {}).get("providers", {})


def client(name: str):
    """Authlib's client for the provider ``name``."""
    return current_app.extensions["commons.oidc"]["oauth"].create_client(name)


def label(name: str | None) -> str:
    """The name people read for an identity provider recorded on a signature."""
    if not name:
        return ""
    provider = providers().get(name) if current_app else None
    return provider.label if provider else name


def level_label(level: str | None) -> str:
    """A level of assurance as people read it: the last part of its URI (SpidL2, high)."""
    if not level:
        return ""
    return re.split(r"[/#]", level.rstrip("/"))[-1]


def identity_from(provider: Provider, claims: dict) -> Identity:
    """The identity in the checked claims (the ID token's, completed by the userinfo's).

    Raises ValueError on a fiscal number that fails its check digit.
    """
    mapped = provider.claims

    def text(key: str) -> str:
        value = claims.get(mapped[key])
        return value.strip() if isinstance(value, str) else ""

    verified = claims.get(mapped["email_verified"])
    auth_time = claims.get("auth_time")
    return Identity(
        provider=provider.name,
        subject=str(claims.get("sub") or ""),
        fiscal_number=normalise_fiscal_number(text("fiscal_number")),
        given_name=text("given_name"),
        family_name=text("family_name"),
        email=text("email").lower() or None,
        email_verified=verified is True or str(verified).lower() == "true",
        level=str(claims.get(provider.level_claim) or "") or None,
        auth_time=int(auth_time) if isinstance(auth_time, int | float) else None,
    )
