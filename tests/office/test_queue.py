"""The office's work queue: who sees it, filters, counts, clocks, urgency and pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from commons.extensions import db
from commons.office import queue as office_queue
from commons.office.deadlines import step_due_at
from tests.conftest import login
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire


def _titles(page: str) -> list[str]:
    return re.findall(r'<a href="/proposals/\d+">([^<]+)</a>', page)


def test_only_office_staff_see_the_queue(app, client, make):
    cast = Cast()
    assert client.get("/office/").status_code == 302  # to the login page
    login(client, cast.representative.email)
    assert client.get("/office/").status_code == 403
    assert "Work queue" not in client.get("/").get_data(as_text=True)
    for who in (cast.officer, cast.legal, cast.admin):
        other = app.test_client()
        login(other, who.email)
        response = other.get("/office/")
        assert response.status_code == 200, who
        assert 'href="/office/"' in other.get("/").get_data(as_text=True)


def test_filters_and_counts_per_state(app, client, make):
    cast = Cast()
    now = datetime.now(UTC)
    submitted = proposal_in("submitted", cast)
    review = proposal_in("under_review", cast)
    complex_ = proposal_in("co_design", cast, pact_type="complex")
    draft = proposal_in("draft", cast)
    closed = proposal_in("rejected", cast)
    elsewhere = proposal_in("under_review", cast)
    elsewhere.commons[0].district = "Navile"
    other_officer = make.user("officer")
    review.case_officer_id = other_officer.id
    # The review of `submitted` started 40 days ago: past the 30-day limit.
    submitted.review_started_at = now - timedelta(days=40)
    review.review_started_at = now - timedelta(days=3)
    elsewhere.review_started_at = now - timedelta(days=3)
    db.session.commit()
    login(client, cast.officer.email)

    page = client.get("/office/").get_data(as_text=True)
    shown = _titles(page)
    assert draft.title not in shown and closed.title not in shown
    assert {submitted.title, review.title, complex_.title, elsewhere.title} <= set(shown)
    assert re.search(r"Under review <span[^>]*>2</span>", page)
    assert re.search(r"Submitted <span[^>]*>1</span>", page)

    page = client.get("/office/?state=under_review").get_data(as_text=True)
    assert set(_titles(page)) == {review.title, elsewhere.title}
    page = client.get("/office/?type=complex").get_data(as_text=True)
    assert _titles(page) == [complex_.title]
    page = client.get("/office/?district=Navile").get_data(as_text=True)
    assert _titles(page) == [elsewhere.title]
    page = client.get("/office/?overdue=1").get_data(as_text=True)
    assert _titles(page) == [submitted.title]
    assert "overdue" in page and "40 of 30 days" in page
    page = client.get("/office/?mine=1").get_data(as_text=True)
    assert review.title not in _titles(page) and submitted.title in _titles(page)
    # An unknown filter value is ignored rather than failing.
    assert client.get("/office/?state=nonsense&type=odd").status_code == 200


def test_sorted_by_urgency_with_paused_clock_and_next_action(app, client):
    cast = Cast()
    now = datetime.now(UTC)
    later = proposal_in("under_review", cast)
    sooner = proposal_in("under_review", cast)
    waiting = proposal_in("awaiting_integration", cast)
    later.review_started_at = now - timedelta(days=2)
    sooner.review_started_at = now - timedelta(days=20)
    waiting.review_started_at = now - timedelta(days=15)
    waiting.review_paused_at = now - timedelta(days=5)
    waiting.integration_due_at = now + timedelta(days=25)
    db.session.commit()
    login(client, cast.officer.email)
    page = client.get("/office/").get_data(as_text=True)
    order = [t for t in _titles(page) if t in (later.title, sooner.title, waiting.title)]
    # Deadlines: sooner in 10 days, waiting (the reply) in 25, later in 28.
    assert order == [sooner.title, waiting.title, later.title]
    row = page.split(waiting.title, 1)[1].split("</tr>", 1)[0]
    assert "10 of 30 days" in row and "paused" in row
    assert "Waiting for the proponents:" in row and "Send integration" in row
    row = page.split(sooner.title, 1)[1].split("</tr>", 1)[0]
    assert "20 of 30 days" in row and "Admit" in row and "Request integration" in row


def test_keyset_pages_cover_every_case_once(app, client, monkeypatch):
    monkeypatch.setattr(office_queue, "PAGE_SIZE", 2)
    cast = Cast()
    now = datetime.now(UTC)
    cases = [proposal_in("under_review", cast) for _ in range(3)]
    cases += [proposal_in("co_design", cast) for _ in range(2)]  # no deadline: last
    for i, p in enumerate(cases[:3]):
        p.review_started_at = now - timedelta(days=10 + i)
    db.session.commit()
    login(client, cast.officer.email)
    seen, url = [], "/office/"
    for _ in range(5):
        page = client.get(url).get_data(as_text=True)
        seen += _titles(page)
        found = re.search(r'rel="next" href="([^"]+)"', page)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
    assert seen == [cases[2].title, cases[1].title, cases[0].title, cases[3].title, cases[4].title]


@pytest.mark.parametrize(
    ("trigger", "data", "expected"),
    [
        ("take_in_charge", {}, "review"),
        ("request_integration", {"message": "Send the plan."}, "integration"),
    ],
)
def test_due_date_follows_the_engine(app, trigger, data, expected):
    cast = Cast()
    p = proposal_in("submitted", cast)
    p.review_started_at = NOW - timedelta(days=1)
    db.session.commit()
    if trigger == "request_integration":
        fire(p, "take_in_charge", cast.officer, now=NOW)
    fire(p, trigger, cast.officer, now=NOW, **data)
    db.session.commit()
    db.session.refresh(p)
    if expected == "review":
        assert p.due_at == NOW - timedelta(days=1) + timedelta(days=30)
    else:
        assert p.due_at == p.integration_due_at and p.due_at > NOW
    assert p.due_at == step_due_at(p)
