"""`commons audit verify` recomputes the chain and names the first altered event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from commons.audit.models import AuditEvent
from commons.audit.operations import verify_chain
from commons.extensions import db
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire

ALTERATIONS = {
    "seq": 999,
    "occurred_at": datetime(2020, 1, 1, tzinfo=UTC),
    "actor_id": None,
    "actor_role": "legal",
    "proposal_id": None,
    "trigger": "approve",
    "from_state": "legal_review",
    "to_state": "active",
    "payload": {"reasons": "changed afterwards"},
    "public": False,
    "prev_hash": "f" * 64,
    "hash": "e" * 64,
}


@pytest.fixture
def history(app):
    cast = Cast()
    p = proposal_in("draft", cast)
    fire(p, "submit", cast.representative, now=NOW)
    fire(p, "take_in_charge", cast.officer, now=NOW)
    fire(p, "reject", cast.officer, now=NOW, reasons="Out of scope.")
    db.session.commit()
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()


def _tamper(seq: int, column: str, value) -> None:
    """Change a stored event behind the application's back, as an attacker with DB access."""
    if db.engine.dialect.name == "postgresql":
        # The append-only trigger refuses this; a superuser can bypass triggers for the test.
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(
        update(AuditEvent.__table__)
        .where(AuditEvent.__table__.c.seq == seq)
        .values({column: value})
    )
    db.session.commit()


def test_intact_chain_verifies(history, runner):
    report = verify_chain()
    assert report.ok and report.count == len(history) and report.head_hash == history[-1].hash
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert f"OK: {len(history)} events, head {history[-1].hash}" in result.output


@pytest.mark.parametrize("column", sorted(ALTERATIONS))
def test_altering_any_column_breaks_verification_at_that_event(history, runner, column):
    victim = next(e.seq for e in history if e.trigger == "take_in_charge")
    _tamper(victim, column, ALTERATIONS[column])
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == victim
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event {report.broken_seq}" in result.output


def test_deleting_an_event_breaks_the_chain(history):
    deleted = history[1].seq
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(AuditEvent.__table__.delete().where(AuditEvent.__table__.c.seq == deleted))
    db.session.commit()
    report = verify_chain()
    assert not report.ok and report.broken_seq == deleted
    assert "missing" in report.reason


def test_postgresql_refuses_update_delete_and_truncate(history):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    for statement in (
        update(AuditEvent.__table__).values(trigger="x"),
        AuditEvent.__table__.delete(),
        text("TRUNCATE audit_events"),
        text("TRUNCATE audit_events, proposals CASCADE"),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert verify_chain().ok
