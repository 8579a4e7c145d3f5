"""Transactions: one commit per entry point.

Operations (``commons/*/operations.py``) and the lifecycle engine only add and flush; they
never commit nor roll back the session (a savepoint, ``with db.session.begin_nested():``, is
theirs to use). The entry point that called them decides, once:

- a web view with a form: :class:`commons.forms.FormTransaction`;
- a web view without a form (a POST button, an upload): :func:`transaction`, or
  :class:`Transition` when it fires a lifecycle trigger;
- the JSON API: the request boundary in :mod:`commons.api.views` (``api_transaction``);
- a CLI command: the :func:`command` decorator (commons/cli.py);
- a background job (the export worker, the tick's steps): the :func:`job` decorator.

Each of them commits when the work ends normally and rolls back when it raises, so a failure
after a flush leaves nothing behind. A batch job that must keep each item done even if a later
one fails (an e-mail sent is not sent again; a fired transition stays fired) says so where it
calls :func:`commit_step`, the one per-item commit, and :func:`discard_step` to drop what the
current item did.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from commons.extensions import db


@contextmanager
def transaction() -> Iterator[None]:
    """Run a block as one transaction: commit when it ends normally, else roll back and
    re-raise. The boundary of web views without a form, of CLI commands and of jobs."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def commit_step() -> None:
    """Commit the item a batch job has just finished, inside the job's transaction.

    Only entry points call it (cli.py, jobs, notifications/mail.py; a web view that keeps an
    accepted upload while it sends the form back for correction), each call with a comment
    saying why that step must be kept even if what follows fails. Operations that work item by
    item take it as a parameter instead of committing.
    """
    db.session.commit()


def discard_step() -> None:
    """Drop what the current item of a batch job did since the last :func:`commit_step`."""
    db.session.rollback()


def job(fn: Callable) -> Callable:
    """Decorate a background job (or one step of the tick): it runs as one transaction,
    committed when it returns, rolled back when it raises."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with transaction():
            return fn(*args, **kwargs)

    return run


def command(fn: Callable) -> Callable:
    """Decorate a CLI command: one transaction, committed when it returns, rolled back when
    it raises (``sys.exit`` included). A refusal (domain or engine) becomes the command's
    error message (exit status 1), with the field it names."""
    import click

    from commons.errors import REFUSALS

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            with transaction():
                return fn(*args, **kwargs)
        except REFUSALS as error:
            field = f" ({error.field})" if error.field else ""
            raise click.ClickException(f"{error.message}{field}") from None

    return run


class Transition:
    """Fire a lifecycle trigger from a web view and answer a refusal, in one transaction.

    ::

        with Transition(refused=lambda error, status: page(problem=error.message,
                                                             status=status)) as fired:
            event = workflows.fire(proposal, "file_report", actor, ...)
            uploads.link_attachments(pending, event.payload["report_id"])
        if not fired:
            return fired.response
        return redirect(...)

    When the block ends normally the transaction is committed and the outcome is true. When
    the engine refuses (a ``WorkflowError``) the transaction is rolled back, ``rolled_back()``
    (if given) tidies what the database does not hold (files stored for the request), then:
    ``already_done()`` (if given) true means the same person's same action already succeeded
    (a double submission) and the outcome is true; a guard refusal answers
    ``refused(error, 422)``; a permission refusal aborts with 403; any other refusal (a
    conflict, a stale version, a trigger that does not apply now) answers ``refused(error,
    409)``. Any other exception propagates (and the request's teardown rolls back).
    """

    def __init__(
        self,
        *,
        refused: Callable[[Exception, int], object],
        already_done: Callable[[], object] | None = None,
        rolled_back: Callable[[], None] | None = None,
    ):
        self.refused = refused
        self.already_done = already_done
        self.rolled_back = rolled_back
        self.ok = False
        self.error = None
        self.response = None

    def __enter__(self) -> Transition:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        import workflows

        if exc_type is None:
            db.session.commit()
            self.ok = True
            return False
        if not isinstance(exc, workflows.WorkflowError):
            return False
        db.session.rollback()
        self.error = exc
        if self.rolled_back is not None:
            self.rolled_back()
        if self.already_done is not None and self.already_done():
            self.ok = True
            return True
        if isinstance(exc, workflows.GuardRefused):
            self.response = self.refused(exc, 422)
            return True
        if exc.status_code == 403:
            from flask import abort

            abort(403)
        self.response = self.refused(exc, 409)
        return True

    def __bool__(self) -> bool:
        return self.ok
