"""Creating, revoking and checking personal access tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from commons.api.models import ApiToken
from commons.audit.operations import append_event
from commons.auth.models import User
from commons.db import utcnow
from commons.errors import DomainError, NotFound
from commons.extensions import db

TOKEN_PREFIX = "cmn_"  # noqa: S105 - a marker, not a secret
# Writing last_used_at on every request would turn each read into a write; once a minute is
# precise enough for "when was this token last used".
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it and the secret, which is shown once and not kept."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name, e.g. the system that will use it."), "name")
    if len(name) > 100:
        raise DomainError(_("The name can be at most 100 characters long."), "name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=hash_secret(secret))
    db.session.add(token)
    db.session.flush()
    append_event(
        "api_token_created",
        actor=user,
        payload={"token_id": token.id, "name": name},
        public=False,
    )
    return token, secret


def revoke_token(token: ApiToken, *, actor: User) -> ApiToken:
    """Revoke a token of ``actor``'s; requests with it are refused from now on."""
    if token.user_id != actor.id:
        raise NotFound(_("There is no such token on your account."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        append_event(
            "api_token_revoked",
            actor=actor,
            payload={"token_id": token.id, "name": token.name},
            public=False,
        )
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def find_token(secret: str) -> ApiToken | None:
    """The valid, unrevoked token ``secret`` is, of an active user; None otherwise."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_secret(secret))
        .options(joinedload(ApiToken.user).joinedload(User.role_rows))
    )
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def mark_used(token: ApiToken, *, now: datetime | None = None) -> None:
    """Note that ``token`` was used (at most once a minute). Only sets it: the API's request
    boundary (``commons.api.views``) commits it, after the request's own transaction."""
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
