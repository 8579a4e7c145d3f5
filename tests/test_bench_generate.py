"""The benchmark data generator fills a database with consistent, verifiable data."""

from __future__ import annotations

import io
from datetime import UTC

import pytest
from sqlalchemy import create_engine, func, select

from bench.generate import (
    COMMONS,
    EVENTS,
    GROUPS,
    MEMBERS,
    PROPOSALS,
    ROLES,
    TERMINAL,
    USERS,
    main,
)
from commons.audit.chain import GENESIS_HASH, hash_of
from commons.proposals.models import proposal_commons

SMALL = ["--commons", "50", "--proposals", "40", "--events", "200", "--seed", "7"]


def generate(url: str, *args: str) -> str:
    out = io.StringIO()
    assert main([*SMALL, "--database-url", url, "--batch", "64", *args], out=out) == 0
    return out.getvalue()


def counts(engine) -> dict[str, int]:
    tables = [USERS, ROLES, GROUPS, MEMBERS, COMMONS, PROPOSALS, proposal_commons, EVENTS]
    with engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in tables}


def verify_chain(engine) -> int:
    """Recompute every event's hash and link, as an auditor would; return the chain length."""
    prev, expected_seq, last_time = GENESIS_HASH, 1, None
    with engine.connect() as conn:
        for e in conn.execute(select(EVENTS).order_by(EVENTS.c.seq)):
            assert e.seq == expected_seq
            assert e.prev_hash == prev
            assert hash_of(e) == e.hash, f"event {e.seq} does not verify"
            assert e.occurred_at.tzinfo is not None
            assert last_time is None or e.occurred_at >= last_time, "times go backwards"
            prev, expected_seq, last_time = e.hash, expected_seq + 1, e.occurred_at
    return expected_seq - 1


def check_proposals(engine) -> None:
    with engine.connect() as conn:
        without_commons = conn.scalar(
            select(func.count())
            .select_from(PROPOSALS)
            .where(~PROPOSALS.c.id.in_(select(proposal_commons.c.proposal_id)))
        )
        assert without_commons == 0
        rows = conn.execute(
            select(
                PROPOSALS.c.id,
                PROPOSALS.c.status,
                PROPOSALS.c.protocol_number,
                PROPOSALS.c.start_date,
                PROPOSALS.c.end_date,
                PROPOSALS.c.submitted_at,
                PROPOSALS.c.profile,
            )
        ).all()
        protocols = [r.protocol_number for r in rows if r.protocol_number is not None]
        assert len(protocols) == len(set(protocols))
        for r in rows:
            assert r.profile == "labsus"
            assert (r.status == "draft") == (r.protocol_number is None), r
            if r.start_date and r.end_date:
                assert r.end_date >= r.start_date
            if r.submitted_at is not None:
                assert r.submitted_at.tzinfo is not None
                assert r.protocol_number.startswith(f"{r.submitted_at.astimezone(UTC).year}/")
        # Every event's proposal and actor exist.
        orphans = conn.scalar(
            select(func.count())
            .select_from(EVENTS)
            .where(
                EVENTS.c.proposal_id.is_not(None), ~EVENTS.c.proposal_id.in_(select(PROPOSALS.c.id))
            )
        )
        assert orphans == 0


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'bench.db'}"


def test_generates_the_requested_counts_and_a_valid_chain(db_url):
    output = generate(db_url)
    engine = create_engine(db_url)
    n = counts(engine)
    assert n["commons"] == 50
    assert n["proposals"] == 40
    assert n["audit_events"] == 200
    assert n["users"] == 20 and n["user_roles"] == 20  # default: max(10, proposals / 2)
    assert n["proponent_groups"] == 13
    check_proposals(engine)
    assert verify_chain(engine) == 200
    assert "audit_events" in output and "rows/s" in output


def test_data_looks_like_the_city(db_url):
    generate(db_url, "--proposals", "120", "--events", "1500")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        districts = set(conn.scalars(select(COMMONS.c.district).distinct()))
        assert districts <= {
            "Navile",
            "San Donato-San Vitale",
            "Santo Stefano",
            "Porto-Saragozza",
            "Borgo Panigale-Reno",
            "Savena",
        }
        assert len(districts) >= 4
        lat_range = conn.execute(
            select(func.min(COMMONS.c.latitude), func.max(COMMONS.c.latitude))
        ).one()
        assert 44.4 < lat_range[0] <= lat_range[1] < 44.6
        statuses = set(conn.scalars(select(PROPOSALS.c.status).distinct()))
        assert {"draft", "active", "expired"} <= statuses
        assert statuses & TERMINAL
        triggers = set(conn.scalars(select(EVENTS.c.trigger).distinct()))
        assert {
            "created",
            "submit",
            "take_in_charge",
            "admit",
            "approve",
            "sign",
            "file_report",
        } <= triggers
        # Each history starts with creation and never outruns the proposal's state.
        first = conn.execute(
            select(EVENTS.c.trigger)
            .where(EVENTS.c.proposal_id == 1)
            .order_by(EVENTS.c.seq)
            .limit(1)
        ).scalar()
        assert first in (None, "created")
        roles = set(conn.scalars(select(ROLES.c.role).distinct()))
        assert {"citizen", "officer", "legal"} <= roles
    verify_chain(engine)


def test_running_twice_appends_and_keeps_the_chain_valid(db_url):
    generate(db_url)
    engine = create_engine(db_url)
    once = counts(engine)
    generate(db_url)
    twice = counts(engine)
    assert twice == {name: 2 * n for name, n in once.items()}
    check_proposals(engine)
    assert verify_chain(engine) == 400
    with engine.connect() as conn:
        assert conn.scalar(select(func.max(PROPOSALS.c.id))) == 80


def test_same_seed_gives_the_same_data(tmp_path):
    heads = []
    for name in ("a.db", "b.db"):
        url = f"sqlite:///{tmp_path / name}"
        generate(url)
        with create_engine(url).connect() as conn:
            heads.append(conn.scalar(select(EVENTS.c.hash).order_by(EVENTS.c.seq.desc())))
    assert heads[0] == heads[1]


def test_more_events_than_histories_become_monitoring_reports(db_url):
    generate(db_url, "--proposals", "10", "--events", "600")
    engine = create_engine(db_url)
    assert counts(engine)["audit_events"] == 600
    with engine.connect() as conn:
        reports = conn.scalar(
            select(func.count()).select_from(EVENTS).where(EVENTS.c.trigger == "file_report")
        )
    assert reports > 300
    verify_chain(engine)


def test_every_generated_event_is_a_transition_of_the_profile(db_url):
    """The lifecycle paths come from the profile: each event's trigger leads from its state
    to its target there, fired by a role the profile allows; each proposal ends where its
    last event left it."""
    from workflows import get_profile

    profile = get_profile("labsus")
    allowed = {
        (spec.trigger, source, spec.target): set(spec.roles)
        for spec in profile.transitions
        for source in spec.sources
    }
    roles = {"citizen": "representative", "officer": "officer", "legal": "legal"}
    generate(db_url, "--proposals", "200", "--events", "3000", "--seed", "3")
    engine = create_engine(db_url)
    last_state = {}
    with engine.connect() as conn:
        for e in conn.execute(select(EVENTS).order_by(EVENTS.c.seq)):
            last_state[e.proposal_id] = e.to_state
            if e.trigger == "created":
                assert e.to_state == profile.initial and not e.public
                continue
            key = (e.trigger, e.from_state, e.to_state)
            assert key in allowed, f"{key} is not a transition of the profile"
            assert roles.get(e.actor_role, e.actor_role) in allowed[key], (key, e.actor_role)
            assert e.public
        statuses = dict(conn.execute(select(PROPOSALS.c.id, PROPOSALS.c.status)).all())
    assert all(statuses[pid] == state for pid, state in last_state.items())
    assert {"renewal_granted", "renewed"} & set(statuses.values())


def test_the_city_weighs_every_state_of_the_profile():
    from bench.city import STATUS_WEIGHTS
    from bench.lifecycle import build_path
    from workflows import get_profile

    assert set(STATUS_WEIGHTS) == set(get_profile("labsus").states)
    for status in STATUS_WEIGHTS:
        for seed in range(20):
            complex_ = status == "political_approval" or seed % 2 == 0
            assert build_path(seed, status, complex_, 365).state == status
