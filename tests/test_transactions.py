"""One commit per entry point: an operation that fails after a flush leaves nothing committed,
through each boundary (web views, the JSON API, CLI commands, jobs)."""

from __future__ import annotations

import click
import pytest
from flask.cli import with_appcontext
from sqlalchemy import func, select

import workflows
from commons.api.views import api_transaction
from commons.auth import operations as auth_ops
from commons.auth.models import User
from commons.errors import DomainError
from commons.extensions import db
from commons.transactions import Transition, command, commit_step, job, transaction
from workflows.errors import NotPermitted


def _committed_users() -> set[str]:
    """The e-mails committed, read on a connection of its own (not the session's) after
    committing whatever the boundary left in the session: a row it failed to roll back shows."""
    db.session.commit()
    with db.engine.connect() as conn:
        return set(conn.scalars(select(User.email)))


def _add_user(email: str) -> User:
    """An operation's first half: a row added and flushed (its id exists, nothing committed)."""
    user = auth_ops.create_user(
        email=email,
        full_name="Flushed Person",
        password="a long enough password",
        roles=["citizen"],
    )
    db.session.flush()
    assert user.id is not None
    return user


def test_a_view_transaction_commits_on_success_and_keeps_nothing_on_failure(app):
    with pytest.raises(DomainError):
        with transaction():
            _add_user("failed@example.org")
            raise DomainError("refused after the flush")
    assert "failed@example.org" not in _committed_users()
    with transaction():
        _add_user("kept@example.org")
    assert "kept@example.org" in _committed_users()


def test_a_refused_transition_keeps_nothing_and_answers_422_or_409(app):
    answers = []

    def refused(error, status):
        answers.append((error.message, status))
        return "page", status

    with Transition(refused=refused) as fired:
        _add_user("guard@example.org")
        raise workflows.GuardRefused("a rule refused it", rule="requires")
    assert not fired and fired.response == ("page", 422)
    with Transition(refused=refused) as fired:
        _add_user("stale@example.org")
        raise workflows.StaleProposal("changed meanwhile")
    assert not fired and fired.response == ("page", 409)
    assert answers == [("a rule refused it", 422), ("changed meanwhile", 409)]
    assert not {"guard@example.org", "stale@example.org"} & _committed_users()


def test_a_transition_refused_for_permission_aborts_403_and_keeps_nothing(app):
    from werkzeug.exceptions import Forbidden

    with pytest.raises(Forbidden):
        with Transition(refused=lambda error, status: None):
            _add_user("denied@example.org")
            raise NotPermitted("not yours")
    assert "denied@example.org" not in _committed_users()


def test_a_repeated_transition_counts_as_done_and_other_errors_propagate(app):
    with Transition(refused=lambda error, status: None, already_done=lambda: True) as fired:
        raise workflows.StaleProposal("done by this same click before")
    assert fired and fired.response is None
    with pytest.raises(RuntimeError):
        with Transition(refused=lambda error, status: None):
            _add_user("crash@example.org")
            raise RuntimeError("a bug, not a refusal")
    db.session.rollback()  # the request's teardown
    assert "crash@example.org" not in _committed_users()


def test_the_api_boundary_commits_successes_only(app):
    def fails_after_flush():
        _add_user("api-raised@example.org")
        raise DomainError("refused after the flush")

    def answers_an_error():
        _add_user("api-409@example.org")
        return {"detail": "conflict"}, 409

    def succeeds():
        _add_user("api-ok@example.org")
        return {"ok": True}, 201

    with app.test_request_context("/api/v1/commons", method="POST"):
        with pytest.raises(DomainError):
            api_transaction(fails_after_flush)()
        assert api_transaction(answers_an_error)().status_code == 409
        assert api_transaction(succeeds)().status_code == 201
    committed = _committed_users()
    assert "api-ok@example.org" in committed
    assert not {"api-raised@example.org", "api-409@example.org"} & committed


@click.command("flush-then-fail")
@click.option("--fail", is_flag=True)
@with_appcontext
@command
def _flush_then_fail(fail):
    _add_user("cli@example.org")
    if fail:
        raise DomainError("refused after the flush", field="email")
    click.echo("done")


def test_a_cli_command_rolls_back_a_refusal_and_commits_a_success(runner):
    result = runner.invoke(_flush_then_fail, ["--fail"])
    assert result.exit_code == 1
    assert "refused after the flush (email)" in result.output
    assert "cli@example.org" not in _committed_users()
    result = runner.invoke(_flush_then_fail, [])
    assert result.exit_code == 0, result.output
    assert "cli@example.org" in _committed_users()


def test_a_job_keeps_only_the_items_it_committed_step_by_step(app):
    @job
    def batch():
        _add_user("first@example.org")
        commit_step()  # the first item is done and kept
        _add_user("second@example.org")
        raise RuntimeError("the second item failed")

    with pytest.raises(RuntimeError):
        batch()
    committed = _committed_users()
    assert "first@example.org" in committed
    assert "second@example.org" not in committed
    assert db.session.scalar(select(func.count(User.id))) == len(committed)

    @job
    def whole():
        _add_user("whole@example.org")

    whole()
    assert "whole@example.org" in _committed_users()
