"""The audit chain that operations append to."""

from __future__ import annotations

from sqlalchemy import select

from commons.audit.chain import HASHED_FIELDS, hash_of
from commons.audit.models import AuditEvent
from commons.audit.operations import GENESIS_HASH, event_fields, event_hash
from commons.extensions import db


def test_operations_append_a_linked_chain(app, make):
    citizen = make.user()
    make.proposal(make.group(citizen))
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.trigger for e in events][:1] == ["user_created"]
    assert "created" in [e.trigger for e in events]
    prev = GENESIS_HASH
    for i, event in enumerate(events, start=1):
        assert event.seq == i and event.prev_hash == prev
        fields = event_fields(
            event.seq,
            event.occurred_at,
            event.actor_id,
            event.actor_role,
            event.proposal_id,
            event.trigger,
            event.from_state,
            event.to_state,
            event.payload,
            event.public,
            event.prev_hash,
        )
        assert event_hash(fields) == event.hash
        prev = event.hash


def test_hash_of_reads_an_event_or_a_mapping_of_its_fields(app, make):
    make.user()
    event = db.session.scalar(select(AuditEvent))
    assert hash_of(event) == event.hash
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    assert hash_of(fields) == event.hash
    assert set(HASHED_FIELDS) == {c.name for c in AuditEvent.__table__.c} - {"hash"}
    for name, other in (("trigger", "other"), ("public", not event.public), ("seq", 99)):
        assert hash_of({**fields, name: other}) != event.hash, name


def test_user_creation_is_private_history(app, make):
    make.user()
    event = db.session.scalar(select(AuditEvent))
    assert event.public is False
