"""Edits made from a version: a save over a newer version is refused, never silent.

Commons, proponent groups and proposals carry a version counter (SQLAlchemy's
``version_id_col``): every UPDATE checks it and adds one. An edit form, or an API client,
says which version it started from; the operation calls ``ensure_base_version`` before it
changes anything, so an edit from a tab opened before someone else's save is refused with
``StaleVersion`` (409) instead of overwriting that save.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import inspect, select

from commons.errors import StaleVersion
from commons.extensions import db


def version_of(obj) -> int:
    """The version counter of a versioned row, as the session holds it."""
    mapper = inspect(obj).mapper
    return getattr(obj, mapper.get_property_by_column(mapper.version_id_col).key)


def stale_message() -> str:
    return _(
        "Someone else saved a change to this after you opened it, so yours was not saved. "
        "What you typed is kept below, with what is stored now: check it and save again."
    )


def lock_row(obj) -> None:
    """Lock ``obj``'s row alone (not the rows its eager relationships join), then read it again:
    what another request committed before the lock was granted is seen. Two officers acting on
    the same row at once are served one after the other (PostgreSQL; SQLite has one writer)."""
    model = type(obj)
    db.session.execute(select(model.id).where(model.id == obj.id).with_for_update())
    db.session.refresh(obj)


def ensure_base_version(obj, base_version: int | None, values: Mapping | None = None) -> None:
    """Refuse (StaleVersion) when ``obj`` is no longer at ``base_version``.

    The row is read again under a row lock (PostgreSQL): two saves from the same version are
    served one after the other, and the second finds the version moved on. ``values`` (the
    attributes the edit sets, as it will set them): when the row already holds exactly these,
    the edit changes nothing and is let through: a double-clicked Save answers as the first
    click did instead of a conflict. ``None``: the edit did not say which version it started
    from (a web page made before versions were sent); nothing is checked then.
    """
    if base_version is None:
        return
    db.session.refresh(obj, with_for_update=True)
    current = version_of(obj)
    if current != base_version and not (values is not None and holds(obj, values)):
        raise StaleVersion(stale_message(), current_version=current, sent_version=base_version)


def holds(obj, values: Mapping) -> bool:
    """Whether ``obj`` already holds every one of ``values`` (lists of rows: the same rows)."""
    return all(_same(getattr(obj, name), value) for name, value in values.items())


def _same(stored, wanted) -> bool:
    if isinstance(stored, list) and isinstance(wanted, list | tuple):
        if all(hasattr(item, "id") for item in [*stored, *wanted]):
            return {item.id for item in stored} == {item.id for item in wanted}
        return list(stored) == list(wanted)
    return stored == wanted
