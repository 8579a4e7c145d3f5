"""The chain head row (audit_chain_head) moves with every event, and verify checks it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from commons.audit.chain import GENESIS_HASH, event_fields, event_hash
from commons.audit.models import AuditChainHead, AuditEvent
from commons.audit.operations import append_event, verify_chain
from commons.extensions import db
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire

HEAD = AuditChainHead.__table__
EVENTS = AuditEvent.__table__


def _head() -> tuple[int, str]:
    return tuple(db.session.execute(select(HEAD.c.seq, HEAD.c.hash)).one())


def _last() -> tuple[int, str]:
    return tuple(
        db.session.execute(
            select(EVENTS.c.seq, EVENTS.c.hash).order_by(EVENTS.c.seq.desc()).limit(1)
        ).one()
    )


@pytest.fixture
def history(app):
    cast = Cast()
    p = proposal_in("draft", cast)
    fire(p, "submit", cast.representative, now=NOW)
    fire(p, "take_in_charge", cast.officer, now=NOW)
    db.session.commit()
    return p


def _bypassing_triggers() -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))


def test_every_append_moves_the_head_to_its_event(history):
    assert _head() == _last()
    event = append_event("commons_created", payload={"name": "A garden"})
    assert _head() == (event.seq, event.hash)
    db.session.rollback()  # the head moves with the event, or not at all
    assert _head() == _last() and _last()[0] == event.seq - 1
    assert verify_chain().ok


def test_deleting_the_last_event_is_reported(history, runner):
    """Without the head, a deleted last event left a shorter but valid-looking chain."""
    head_seq, _ = _head()
    _bypassing_triggers()
    db.session.execute(EVENTS.delete().where(EVENTS.c.seq == head_seq))
    db.session.commit()
    report = verify_chain()
    assert not report.ok and report.broken_seq == head_seq
    assert "missing" in report.reason
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"BROKEN at event {head_seq}" in result.output


def test_an_event_written_without_moving_the_head_is_reported(history):
    seq, prev = _last()
    fields = event_fields(seq + 1, NOW, None, None, None, "x", None, None, {}, True, prev)
    db.session.execute(
        EVENTS.insert().values(
            seq=seq + 1,
            occurred_at=NOW,
            trigger="x",
            payload={},
            public=True,
            prev_hash=prev,
            hash=event_hash(fields),
        )
    )
    db.session.commit()
    report = verify_chain()
    assert not report.ok and report.broken_seq == seq + 1
    assert "without moving the head" in report.reason


def test_a_head_with_another_hash_is_reported(history):
    db.session.execute(update(HEAD).values(hash="f" * 64))
    db.session.commit()
    report = verify_chain()
    assert not report.ok and "hash does not match" in report.reason


def test_a_missing_head_is_reported_and_restarted_from_the_events(history):
    last = _last()
    db.session.execute(HEAD.delete())
    db.session.commit()
    report = verify_chain()
    assert not report.ok and "missing" in report.reason
    event = append_event("commons_created", payload={})
    db.session.commit()
    assert event.seq == last[0] + 1 and event.prev_hash == last[1]
    assert _head() == (event.seq, event.hash)
    assert verify_chain().ok


def test_an_empty_chain_starts_from_the_genesis_head(app):
    """A fresh schema has the genesis head; with no events and no head row (tables emptied,
    as between tests) the chain is empty and verifies, and the first append starts it."""
    db.session.execute(HEAD.delete())
    db.session.commit()
    assert verify_chain().ok
    event = append_event("commons_created", payload={})
    assert (event.seq, event.prev_hash) == (1, GENESIS_HASH)
    assert _head() == (1, event.hash)


def test_create_all_starts_with_the_genesis_head(tmp_path):
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        HEAD.create(engine)
        with engine.connect() as conn:
            assert conn.execute(select(HEAD)).all() == [(1, 0, GENESIS_HASH)]
    finally:
        engine.dispose()


def test_appends_committed_while_verifying_are_not_a_break():
    """verify reads the head before and after the events: the last event read may lie between."""
    from commons.audit.operations import _head_problem

    before, after = (3, "c" * 64), (5, "e" * 64)
    assert _head_problem(before, after, 4, "d" * 64) is None
    assert _head_problem(before, after, 5, "e" * 64) is None
    assert _head_problem(before, after, 2, "b" * 64)[0] == 3  # event 3 vanished
    assert _head_problem(before, after, 6, "f" * 64)[0] == 6  # written behind the head's back
    assert "hash" in _head_problem(before, after, 5, "x" * 64)[1]
