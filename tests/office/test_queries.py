"""No N+1: the queue and the case page make as many queries for 3N rows as for N."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event

from commons.extensions import db
from commons.proposals import operations as proposal_ops
from tests.conftest import login
from tests.workflows.scenario import Cast, proposal_in

N = 4


@contextmanager
def counted():
    """Count the SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _queries(client, url: str) -> int:
    client.get(url)  # warm up: first-request caches, the session's user
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def _add_cases(cast: Cast, count: int, make) -> None:
    now = datetime.now(UTC)
    for i in range(count):
        state = ("submitted", "under_review", "awaiting_integration", "co_design")[i % 4]
        p = proposal_in(state, cast, pact_type=("ordinary", "complex")[i % 2])
        # Each case its own group, commons, officer and district: nothing shared to cache.
        officer, place = make.user("officer"), make.commons(district=f"District {i}")
        p.case_officer_id = officer.id
        p.commons.append(place)
        p.review_started_at = now - timedelta(days=i)
    db.session.commit()


def test_office_queue_queries_do_not_grow_with_cases(app, client, make):
    cast = Cast()
    login(client, cast.officer.email)
    _add_cases(cast, N, make)
    few = _queries(client, "/office/")
    _add_cases(cast, 2 * N, make)
    many = _queries(client, "/office/")
    print(f"\n/office: {few} queries for {N} cases, {many} for {3 * N}")
    assert many == few, f"{few} queries for {N} cases, {many} for {3 * N}"


def _add_events(p, cast: Cast, count: int) -> None:
    for i in range(count):
        proposal_ops.record_meeting(
            p, actor=cast.officer, held_on=date(2026, 5, 1), attendees=f"Person {i}"
        )
        opinion = proposal_ops.request_opinion(p, actor=cast.officer, department=f"Dept {i}")
        proposal_ops.record_opinion(opinion, actor=cast.legal, positive=True, text="Fine.")
    db.session.commit()


def test_case_page_queries_do_not_grow_with_events(app, client, make):
    cast = Cast()
    p = proposal_in("co_design", cast)
    for who in (cast.officer, cast.representative):
        other = app.test_client()
        login(other, who.email)
        _add_events(p, cast, N)
        few = _queries(other, f"/proposals/{p.id}")
        _add_events(p, cast, 2 * N)
        many = _queries(other, f"/proposals/{p.id}")
        print(f"\ncase page: {few} queries for {N} events, {many} for {3 * N}")
        assert many == few, f"{who}: {few} queries for {N} events, {many} for {3 * N}"
