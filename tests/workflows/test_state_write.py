"""fire writes the state change with one Core UPDATE guarded by the version counter, and
leaves the ORM object as a flush would: clean, with the values the row now has."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select, update

from commons.audit.models import AuditEvent
from commons.extensions import db
from commons.proposals.models import Proposal
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import StaleProposal, fire


def test_the_object_is_clean_and_matches_its_row(app):
    cast = Cast()
    p = proposal_in("submitted", cast)
    version, updated = p.lock_version, p.updated_at
    fire(p, "take_in_charge", cast.officer, now=NOW)
    state = inspect(p)
    assert not state.modified and p not in db.session.dirty
    assert (p.status, p.case_officer_id, p.lock_version) == (
        "under_review",
        cast.officer.id,
        version + 1,
    )
    assert p.updated_at > updated
    row = db.session.execute(
        select(
            Proposal.status, Proposal.case_officer_id, Proposal.lock_version, Proposal.updated_at
        ).where(Proposal.id == p.id)
    ).one()
    assert tuple(row) == (p.status, p.case_officer_id, p.lock_version, p.updated_at)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).status == "under_review"


def test_a_stale_copy_gets_a_conflict_and_writes_nothing(app):
    cast = Cast()
    p = proposal_in("submitted", cast)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    # Someone else changes the row after this copy was loaded.
    db.session.execute(
        update(Proposal.__table__)
        .where(Proposal.__table__.c.id == p.id)
        .values(lock_version=Proposal.__table__.c.lock_version + 1)
    )
    with pytest.raises(StaleProposal, match="changed by someone else"):
        fire(p, "take_in_charge", cast.officer, now=NOW)
    db.session.rollback()
    assert db.session.get(Proposal, p.id).status == "submitted"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_effects_that_flush_still_write_once_with_the_version_check(app):
    """A renewal's effect adds a successor linked to the proposal and flushes: the ORM writes
    the proposal then, and the version moves once."""
    from tests.workflows.scenario import data_for

    cast = Cast()
    p = proposal_in("renewal_review", cast)
    version = p.lock_version
    fire(p, "renew", cast.legal, now=NOW, **data_for("renew", cast.legal))
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Proposal, p.id)
    assert again.lock_version == version + 1 and again.status == "renewal_granted"
    assert [s.status for s in again.successors]


def test_objects_without_a_version_counter_are_left_to_the_flush(app):
    from commons.lifecycle.store import _write_changes

    cast = Cast()
    user = cast.member
    user.full_name = "Mario Renamed"
    assert _write_changes(db.session, user) is True
    assert not inspect(user).modified  # flushed by the ORM
    db.session.commit()
    db.session.expire_all()
    assert user.full_name == "Mario Renamed"
