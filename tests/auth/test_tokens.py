"""Account links: single use, short-lived, kept only as a hash."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from commons.auth import tokens
from commons.auth.models import AccountToken, TokenPurpose
from commons.db import utcnow
from commons.extensions import db


def test_a_link_works_once_and_only_its_digest_is_stored(app, make):
    user = make.user()
    secret, row = tokens.issue(user, TokenPurpose.RESET, hours=1)
    db.session.commit()
    stored = db.session.scalars(select(AccountToken)).one()
    assert stored.digest == tokens.digest(secret) and secret not in stored.digest
    assert tokens.usable(secret, TokenPurpose.RESET).id == row.id
    # A reset link confirms no address, and a made-up secret opens nothing.
    assert tokens.usable(secret, TokenPurpose.VERIFY) is None
    assert tokens.usable("not-the-secret", TokenPurpose.RESET) is None
    assert tokens.usable("x" * 500, TokenPurpose.RESET) is None
    tokens.spend(row)
    assert tokens.usable(secret, TokenPurpose.RESET) is None


def test_a_link_expires_and_a_newer_one_replaces_it(app, make):
    user = make.user()
    first, row = tokens.issue(user, TokenPurpose.RESET, hours=1)
    assert tokens.usable(first, TokenPurpose.RESET, now=utcnow() + timedelta(minutes=59))
    assert tokens.usable(first, TokenPurpose.RESET, now=utcnow() + timedelta(minutes=61)) is None
    second, _ = tokens.issue(user, TokenPurpose.RESET, hours=1)
    assert tokens.usable(first, TokenPurpose.RESET) is None
    assert tokens.usable(second, TokenPurpose.RESET) is not None


def test_a_new_address_is_pending_until_confirmed(app, make):
    user = make.user(email="anna@example.org")
    assert user.email_verified  # made by the factory like the CLI and the demo: verified
    assert tokens.pending_email(user) is None
    secret, row = tokens.issue(user, TokenPurpose.VERIFY, hours=48, email="anna@new.example")
    assert tokens.pending_email(user) == "anna@new.example"
    tokens.spend(row)
    assert tokens.pending_email(user) is None
