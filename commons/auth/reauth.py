"""How a session was opened, and the proof of a fresh login at an identity provider.

A session opened through an identity provider remembers which one and the level of assurance
it gave (``session["auth_via"]``, for this account only). Signing a pact needs a fresh login
(DOMAIN.md): with the local password, the password typed again; with a provider, a new login
at the provider (``prompt=login``, ``max_age=0``) made for this signature. The callback of
that login checks the answer and then proves it to the sign guard with a secret that lives
only in this request (``flask.g``): a copied session cookie, idle or not, cannot sign, because
whoever holds it would have to log in at the provider as the person.
"""

from __future__ import annotations

import secrets

from flask import g, has_request_context, session

from commons.auth.oidc import PASSWORD


def remember_session(user, provider: str | None, level: str | None) -> None:
    """Note how ``user``'s new session was opened (None: with the local password)."""
    if provider is None:
        session.pop("auth_via", None)
        return
    session["auth_via"] = {"user": user.id, "provider": provider, "level": level}


def session_provider(user) -> str | None:
    """The identity provider ``user``'s session was opened with, or None (a password)."""
    if not has_request_context() or user is None:
        return None
    via = session.get("auth_via")
    if isinstance(via, dict) and via.get("user") == getattr(user, "id", None):
        return via.get("provider")
    return None


def prove(user, provider: str, level: str | None) -> str:
    """The secret that stands for a fresh provider login of ``user`` in this request only."""
    proof = "reauth:" + secrets.token_urlsafe(32)
    g.commons_reauth = {"user": user.id, "proof": proof, "provider": provider, "level": level}
    return proof


def _proven(user) -> dict | None:
    if not has_request_context():
        return None
    held = g.get("commons_reauth")
    if held and held["user"] == getattr(user, "id", None):
        return held
    return None


def is_proof(user, value: str) -> bool:
    """Whether ``value`` is the proof of a fresh provider login made in this request."""
    held = _proven(user)
    return bool(held and value and secrets.compare_digest(held["proof"], value))


def signing_identity(user) -> tuple[str, str | None]:
    """(identity provider, level of assurance) a signature by ``user`` is made with now."""
    held = _proven(user)
    if held:
        return held["provider"], held["level"]
    return PASSWORD, None
