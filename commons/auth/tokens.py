"""Single-use account links (password reset, e-mail verification), kept only as a hash.

The secret travels in the e-mail; the table holds its SHA-256, so a copy of the database
cannot be used to reset a password or confirm an address. A link works once, until it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from commons.auth.models import AccountToken, TokenPurpose, User
from commons.db import utcnow
from commons.extensions import db

# Kinds of outbox message that carry a link's secret: the sender clears their body once the
# e-mail is out (commons/notifications/mail.py), so the outbox keeps no working link.
LINK_KINDS = frozenset({"account_reset", "account_verify"})

# Longer than anything a person types or pastes: a longer "token" is refused unread.
MAX_SECRET_CHARS = 100


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A fresh random secret and its digest."""
    secret = secrets.token_urlsafe(32)
    return secret, digest(secret)


def issue(
    user: User, purpose: TokenPurpose, *, hours: int, email: str | None = None
) -> tuple[str, AccountToken]:
    """Make a link for ``user``; any earlier unused link of the same purpose stops working.

    Returns the secret (for the e-mail only) and the row.
    """
    now = utcnow()
    for old in db.session.scalars(
        select(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose.value,
            AccountToken.used_at.is_(None),
        )
    ):
        old.used_at = now
    secret, hashed = new_secret()
    token = AccountToken(
        purpose=purpose.value,
        user_id=user.id,
        digest=hashed,
        email=email,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(token)
    db.session.flush()
    return secret, token


def usable(secret: str, purpose: TokenPurpose, now: datetime | None = None) -> AccountToken | None:
    """The unused, unexpired link of this purpose that ``secret`` opens, else None."""
    if not secret or len(secret) > MAX_SECRET_CHARS:
        return None
    token = db.session.scalar(select(AccountToken).where(AccountToken.digest == digest(secret)))
    if token is None or token.purpose != purpose.value or token.used_at is not None:
        return None
    if (now or utcnow()) >= token.expires_at:
        return None
    return token


def spend(token: AccountToken) -> None:
    """The link has done its work: it opens nothing any more."""
    token.used_at = utcnow()
    db.session.flush()


def pending_email(user: User) -> str | None:
    """A new address the user asked for and has not confirmed yet (its link still works)."""
    token = db.session.scalar(
        select(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.VERIFY.value,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > utcnow(),
            AccountToken.email.is_not(None),
            AccountToken.email != user.email,
        )
        .order_by(AccountToken.id.desc())
    )
    return token.email if token is not None else None
