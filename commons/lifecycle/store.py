"""The lifecycle engine's store: proposals in the database, through SQLAlchemy.

The engine (``workflows``) knows no database; ``fire`` asks this store for the proposal's
session, to write the state change under the version check, to flush what the effects added
and for a savepoint around a follow-up transition. Conflicts with a simultaneous firing
(``StaleDataError``, ``IntegrityError``) are answered by the engine as StaleProposal.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session
from sqlalchemy.orm.exc import StaleDataError

log = logging.getLogger(__name__)


class DatabaseStore:
    """What ``workflows.store`` asks of a store, for mapped objects in their session."""

    conflicts = (StaleDataError, IntegrityError)

    def session_of(self, proposal):
        return object_session(proposal)

    def write(self, session, proposal, *, loaded_version=None) -> bool:
        return _write_changes(session, proposal, loaded_version=loaded_version)

    def flush(self, session) -> None:
        session.flush()

    def savepoint(self, session):
        return session.begin_nested()

    def log_conflict(self, trigger: str, proposal, error: BaseException) -> None:
        if isinstance(error, IntegrityError):
            log.warning("%s on proposal %s refused as stale: %s", trigger, proposal.id, error.orig)


class _WritePlan:
    """What _write_changes needs to know of a mapped class, worked out once."""

    def __init__(self, mapper) -> None:
        self.simple = (
            mapper.local_table is mapper.persist_selectable and len(mapper.primary_key) == 1
        )
        self.table = mapper.local_table
        self.columns = {prop.key: prop.columns[0] for prop in mapper.column_attrs}
        self.version_column = mapper.version_id_col
        if self.version_column is None:  # no version counter: nothing to guard the UPDATE with
            self.simple = False
            self.version_key = None
        else:
            self.version_key = mapper.get_property_by_column(self.version_column).key
        self.next_version = mapper.version_id_generator
        self.pk = mapper.primary_key[0]
        # Columns with an onupdate default (updated_at): their value is computed here, as the
        # flush would, so that the object can be given it.
        self.onupdate = []
        for key, column in self.columns.items():
            if column.onupdate is not None:
                if not (column.onupdate.is_callable or column.onupdate.is_scalar):
                    self.simple = False  # a SQL expression: known only after the UPDATE
                self.onupdate.append((key, column.onupdate))
        self.statements: dict[tuple[str, ...], object] = {}

    def statement(self, keys: tuple[str, ...]):
        """UPDATE table SET <keys> WHERE pk = :w_pk AND version = :w_version (cached)."""
        stmt = self.statements.get(keys)
        if stmt is None:
            stmt = (
                update(self.table)
                .where(self.pk == bindparam("w_pk"), self.version_column == bindparam("w_version"))
                .values({self.columns[k].key: bindparam(f"v_{k}") for k in keys})
            )
            self.statements[keys] = stmt
        return stmt


_PLANS: dict = {}


def _write_changes(session, obj, *, loaded_version=None) -> bool:
    """Write the changed columns of ``obj`` with one Core UPDATE guarded by its version.

    ``UPDATE proposals SET ..., lock_version = v + 1 WHERE id = ? AND lock_version = v``: the
    statement and the version check of the ORM flush, without the unit of work's bookkeeping;
    the object is then marked clean with the values written, as a flush leaves it. Returns
    False when no row matched (someone changed it since it was loaded: the caller reports the
    conflict). When more than plain columns changed (a relationship or collection), or the
    version is not loaded, the ORM flush writes it as before.

    The version moves even when no column changed, unless it already moved from
    ``loaded_version`` (an effect flushed the row under the version check itself).
    """
    state = inspect(obj)
    mapper = state.mapper
    plan = _PLANS.get(mapper)
    if plan is None:
        plan = _PLANS[mapper] = _WritePlan(mapper)
    changed = state.committed_state
    values = state.dict
    if (
        not state.persistent
        or not plan.simple
        or plan.version_key not in values
        or plan.version_key in changed
        or any(key not in plan.columns or key not in values for key in changed)
    ):
        before = values.get(plan.version_key)
        session.flush()
        if not plan.simple or plan.version_key not in values or values[plan.version_key] != before:
            return True
        # Only related rows changed: the proposal's own row must still move its version, or
        # two firings that change no column of it would not be serialised.
        changed = {}
    version = values[plan.version_key]
    if not changed and loaded_version is not None and version != loaded_version:
        return True
    written = {key: values[key] for key in changed}
    written[plan.version_key] = plan.next_version(version)
    for key, default in plan.onupdate:
        if key not in written:
            written[key] = default.arg(None) if default.is_callable else default.arg
    keys = tuple(sorted(written))
    params = {f"v_{key}": value for key, value in written.items()}
    params["w_pk"], params["w_version"] = state.identity[0], version
    result = session.connection().execute(plan.statement(keys), params)
    if result.rowcount != 1:
        return False
    values.update(written)
    # What a flush does to the objects it wrote: no pending history, not modified.
    state._commit_all(values, session.identity_map)
    return True
