"""The declarative base shared by every model, with a constraint naming convention.

The convention gives every index and constraint a stable name, so Alembic migrations can
create and drop them identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no time zone; PostgreSQL does. This type makes both return aware UTC values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def race_summary(error: Exception) -> str:
    """A lost race's error for the log: its kind and the database's first line, without the
    statement and its parameters (they may hold what people typed)."""
    cause = getattr(error, "orig", None) or error
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    if getattr(error, "orig", None) is None:
        first = first.split(" [SQL:")[0]
    return f"{type(error).__name__}: {first}"[:300]


def import_all_models() -> None:
    """Import every models module so ``Base.metadata`` knows every table (Alembic needs it)."""
    import commons.api.models  # noqa: F401
    import commons.audit.models  # noqa: F401
    import commons.auth.models  # noqa: F401
    import commons.calls.models  # noqa: F401
    import commons.consultation.models  # noqa: F401
    import commons.documents.models  # noqa: F401
    import commons.groups.models  # noqa: F401
    import commons.imports.models  # noqa: F401
    import commons.monitoring.models  # noqa: F401
    import commons.notifications.models  # noqa: F401
    import commons.offers.models  # noqa: F401
    import commons.privacy.models  # noqa: F401
    import commons.proposals.models  # noqa: F401
    import commons.registry.models  # noqa: F401
    import commons.summaries.models  # noqa: F401
    import commons.uploads.models  # noqa: F401
