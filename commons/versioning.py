"""Edits made from a version: a save over a newer version is refused, never silent.

Commons, proponent groups and proposals carry a version counter (SQLAlchemy's
``version_id_col``): every UPDATE checks it and adds one. An edit form, or an API client,
says which version it started from; the operation calls ``ensure_base_version`` before it
changes anything, so an edit from a tab opened before someone else's save is refused with
``StaleVersion`` (409) instead of overwriting that save.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import inspect

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


def ensure_base_version(obj, base_version: int | None) -> None:
    """Refuse (StaleVersion) when ``obj`` is no longer at ``base_version``.

    The row is read again under a row lock (PostgreSQL): two saves from the same version are
    served one after the other, and the second finds the version moved on. ``None``: the
    edit did not say (a web page made before versions were sent); nothing is checked then.
    """
    if base_version is None:
        return
    db.session.refresh(obj, with_for_update=True)
    current = version_of(obj)
    if current != base_version:
        raise StaleVersion(stale_message(), current_version=current, sent_version=base_version)
