"""Accounts and proponent groups."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from commons.db import TimestampMixin, UTCDateTime
from commons.extensions import db


class Role(enum.StrEnum):
    """What a person may do in the registry; a user holds one or more roles."""

    CITIZEN = "citizen"
    OFFICER = "officer"
    LEGAL = "legal"
    AUDITOR = "auditor"
    ADMIN = "admin"


class GroupKind(enum.StrEnum):
    """The legal shape of a proponent."""

    INDIVIDUAL = "individual"
    INFORMAL_GROUP = "informal_group"
    ASSOCIATION = "association"
    COMPANY = "company"
    SCHOOL = "school"


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    tax_code: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Part of the login session and of the remember cookie ("id:generation"): bumped by
    # commons.auth.operations.end_all_sessions (logout, password change, deactivation), which
    # makes every session and remember cookie issued before it refused.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(_in("role", Role), name="role_known"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ProponentGroup(TimestampMixin, db.Model):
    """Who proposes a pact: one person, an informal group, an association, a company, a school."""

    __tablename__ = "proponent_groups"
    __table_args__ = (CheckConstraint(_in("kind", GroupKind), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    tax_code: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # The citizen who represents the group: lead of a group, legal representative of a body.
    representative_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Counts the saves: an edit made from an older version is refused instead of overwriting.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    representative: Mapped[User] = relationship(foreign_keys=[representative_id])
    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupMember.id"
    )

    def has_member(self, user) -> bool:
        if user is None or not getattr(user, "id", None):
            return False
        return user.id == self.representative_id or any(m.user_id == user.id for m in self.members)

    def __repr__(self) -> str:
        return f"<ProponentGroup {self.id} {self.name}>"


class GroupMember(TimestampMixin, db.Model):
    """A member of a proponent group: a registered user, or someone invited by e-mail."""

    __tablename__ = "group_members"
    __table_args__ = (
        UniqueConstraint("group_id", "email", name="uq_group_members_group_id_email"),
        Index("ix_group_members_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("proponent_groups.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    tax_code: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # SHA-256 of the invitation link's token while the invitation waits; the token itself is
    # only in the e-mail, so a copy of the database cannot be used to join.
    invitation_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # When the current invitation was sent; its link expires COMMONS_INVITATION_DAYS later.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    group: Mapped[ProponentGroup] = relationship(back_populates="members")
    user: Mapped[User | None] = relationship()
