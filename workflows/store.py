"""Where the engine reads and writes proposals: the store interface and a store of plain objects.

``fire`` never talks to a database itself. It asks the configured store (``configure(store=)``):

- ``session_of(proposal)``: the unit of work the proposal belongs to (or None), handed to
  guards and effects as ``Context.session``;
- ``write(session, proposal, *, loaded_version) -> bool``: write the proposal's changes and move
  its version, False when the proposal changed since ``loaded_version`` (someone else fired
  first: the engine answers StaleProposal);
- ``flush(session)``: write whatever else the effects added;
- ``savepoint(session)``: an object with ``commit()`` and ``rollback()``, around the firing of a
  follow-up transition, so that its refusal leaves the first firing in place;
- ``conflicts``: the exception classes that mean a simultaneous firing wrote first, and
  ``log_conflict(trigger, proposal, error)`` to record one.

The application's store (``commons.lifecycle.store``) does this with SQLAlchemy.
"""

from __future__ import annotations


class _NoSavepoint:
    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


class PlainStore:
    """Proposals as plain objects in memory: nothing to flush, no one else to conflict with.

    A proposal with a ``lock_version`` attribute has it moved by one at each firing.
    """

    conflicts: tuple[type[BaseException], ...] = ()

    def session_of(self, proposal):
        return None

    def write(self, session, proposal, *, loaded_version=None) -> bool:
        if getattr(proposal, "lock_version", None) is not None:
            proposal.lock_version += 1
        return True

    def flush(self, session) -> None:
        pass

    def savepoint(self, session):
        return _NoSavepoint()

    def log_conflict(self, trigger: str, proposal, error: BaseException) -> None:
        pass
