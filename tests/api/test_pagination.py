"""Lists page by keyset cursors: every row once, in order, in a constant number of queries."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from commons.auth.models import Role
from commons.extensions import db
from tests import factories
from tests.api.helpers import Caller, token_for
from tests.workflows.scenario import Cast, proposal_in


def _walk(caller, path: str, limit: int) -> list[list]:
    pages, url = [], f"{path}{'&' if '?' in path else '?'}limit={limit}"
    while True:
        body = caller.get(url).get_json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            return pages
        url = f"{path}{'&' if '?' in path else '?'}limit={limit}&cursor={body['next_cursor']}"


def test_commons_pages_in_name_order(client):
    for name in ("Elm", "Ash", "Oak", "Birch", "Ash"):
        factories.commons(name=name)
    pages = _walk(Caller(client, None), "/commons", 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    names = [c["name"] for page in pages for c in page]
    assert names == ["Ash", "Ash", "Birch", "Elm", "Oak"]
    filtered = _walk(Caller(client, None), "/commons?q=as", 1)
    assert [c["name"] for page in filtered for c in page] == ["Ash", "Ash"]


def test_proposals_page_newest_first_with_filters(client):
    cast = Cast()
    made = [proposal_in(state, cast).id for state in ("submitted", "active", "co_design")] + [
        proposal_in("active", cast).id
    ]
    everyone = Caller(client, None)
    pages = _walk(everyone, "/proposals", 3)
    ids = [p["id"] for page in pages for p in page]
    assert ids == sorted(made, reverse=True)
    active = _walk(everyone, "/proposals?status=active", 1)
    assert [p["id"] for page in active for p in page] == [made[3], made[1]]


def test_audit_events_page_in_chain_order(client):
    auditor = factories.user(Role.AUDITOR)
    for _ in range(3):
        factories.commons()
    pages = _walk(Caller(client, token_for(auditor)), "/audit/events", 2)
    seqs = [e["seq"] for page in pages for e in page]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs)) >= 4


@contextmanager
def count_queries():
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_proposal_list_queries_do_not_grow_with_the_page(client):
    cast = Cast()
    officer = Caller(client, token_for(cast.officer))
    proposal_in("co_design", cast)
    officer.get("/proposals")  # warm up: the token's last use is written once a minute
    with count_queries() as few:
        assert len(officer.get("/proposals").get_json()["items"]) == 1
    for _ in range(5):
        proposal_in("co_design", cast)
    with count_queries() as many:
        assert len(officer.get("/proposals").get_json()["items"]) == 6
    assert len(many) == len(few), many
