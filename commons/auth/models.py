"""Accounts and their roles (proponent groups are in commons.groups.models)."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.db import TimestampMixin, UTCDateTime, utcnow
from commons.extensions import db


class Role(enum.StrEnum):
    """What a person may do in the registry; a user holds one or more roles."""

    CITIZEN = "citizen"
    OFFICER = "officer"
    LEGAL = "legal"
    AUDITOR = "auditor"
    ADMIN = "admin"
    # A member of a call's panel: a staff member or an external expert (commons.calls).
    EVALUATOR = "evaluator"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    tax_code: Mapped[str | None] = mapped_column(String(32))
    # The identity provider (commons.auth.oidc) that confirmed ``tax_code`` as this person's:
    # logging in with a provider finds the account by it; the person can no longer change it.
    tax_code_confirmed_by: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Part of the login session and of the remember cookie ("id:generation"): bumped by
    # commons.auth.operations.end_all_sessions (logout, password change, deactivation), which
    # makes every session and remember cookie issued before it refused.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the person proved they receive mail at ``email`` (None: not yet). An unverified
    # account may log in and draft, but not submit, sign or be added to a group by address.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[Role]:
        return {Role(r.role) for r in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @property
    def has_password(self) -> bool:
        """False for an account opened through an identity provider, until a password is set."""
        return bool(self.password_hash)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class TokenPurpose(enum.StrEnum):
    """What an e-mailed account link does."""

    RESET = "reset"  # set a new password
    VERIFY = "verify"  # confirm an e-mail address (at registration or a new one)


class AccountToken(db.Model):
    """A single-use, short-lived link sent by e-mail; only the SHA-256 of its secret is kept.

    ``email`` is the address a "verify" link confirms (the new one, on an address change).
    """

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint(_in("purpose", TokenPurpose), name="purpose_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role_known"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")
