"""The ranking of a call read a page at a time: the public results and the chair's page
come 50 rows a page (here 3) with a next-page link, their queries do not grow with the
rows, and the exports still give the whole ranking."""

from __future__ import annotations

import re

import pytest

from bench.calls import PASSWORD, build_call
from commons.calls import queries as call_queries
from tests.conftest import csrf_token

NEXT = re.compile(r'rel="next" href="([^"]+)"')
TITLE = re.compile(r"Proposal \d{4}")


@pytest.fixture
def ranked(app, monkeypatch):
    """A call admitted by its act: 7 applications, 2 evaluators, pages of 3 rows."""
    monkeypatch.setattr(call_queries, "PAGE_SIZE", 3)
    call_id, _chair_id = build_call(7, 2)
    return call_id


def _walk(client, url: str) -> list[list[str]]:
    """The proposal titles of each page, following the next-page links."""
    pages = []
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(list(dict.fromkeys(TITLE.findall(page))))
        found = NEXT.search(page)
        url = found.group(1).replace("&amp;", "&") if found else None
    return pages


def _ranked_titles(app, call_id) -> list[str]:
    from sqlalchemy import select

    from commons.calls.models import CallApplication
    from commons.extensions import db
    from commons.proposals.models import Proposal

    return list(
        db.session.scalars(
            select(Proposal.title)
            .join(CallApplication, CallApplication.proposal_id == Proposal.id)
            .where(CallApplication.call_id == call_id)
            .order_by(CallApplication.rank)
        )
    )


def test_the_public_ranking_comes_a_page_at_a_time_and_the_export_whole(app, client, ranked):
    pages = _walk(client, f"/calls/{ranked}")
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [t for p in pages for t in p] == _ranked_titles(app, ranked)
    csv = client.get(f"/calls/{ranked}/results.csv").get_data(as_text=True)
    assert len(TITLE.findall(csv)) == 7
    # A forged cursor is the first page, not an error.
    assert _walk(client, f"/calls/{ranked}?after=garbage")[0] == pages[0]


def test_the_chairs_page_is_paged_and_its_queries_do_not_grow_with_the_rows(
    app, client, ranked, count_queries, monkeypatch
):
    token = csrf_token(client, "/login")
    client.post(
        "/login",
        data={"email": "p0@bench.example.org", "password": PASSWORD, "csrf_token": token},
    )
    pages = _walk(client, f"/calls/{ranked}/panel")
    assert [t for p in pages for t in p] == _ranked_titles(app, ranked)
    assert [len(p) for p in pages] == [3, 3, 1]
    with count_queries() as few:
        assert client.get(f"/calls/{ranked}/panel").status_code == 200
    monkeypatch.setattr(call_queries, "PAGE_SIZE", 7)
    with count_queries() as many:
        page = client.get(f"/calls/{ranked}/panel").get_data(as_text=True)
    assert len(set(TITLE.findall(page))) == 7
    assert many.count == few.count, many
    with count_queries() as public_few:
        client.get(f"/calls/{ranked}")
    monkeypatch.setattr(call_queries, "PAGE_SIZE", 2)
    with count_queries() as public_many:
        client.get(f"/calls/{ranked}")
    assert public_many.count == public_few.count, public_many
