"""Deadlines counted in days end at the end of their last day in the city's time zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

import pytest

from commons.extensions import db
from commons.monitoring.operations import tick
from tests.workflows.scenario import Cast, proposal_in
from workflows import GuardRefused, fire
from workflows.clocks import deadline_after, end_of_day

OPENED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 11:00 on 1 December in Rome
LAST_SECOND = datetime(2026, 12, 16, 22, 59, 59, tzinfo=UTC)  # 23:59:59 on 16 December, CET


def test_end_of_day_is_the_last_second_of_the_local_day():
    assert end_of_day(date(2026, 12, 16), "Europe/Rome") == LAST_SECOND
    # Summer time: 23:59:59 CEST is 21:59:59 UTC (29 March 2026 is the switch).
    assert end_of_day(date(2026, 3, 29), "Europe/Rome") == datetime(
        2026, 3, 29, 21, 59, 59, tzinfo=UTC
    )
    # Opened at 00:30 on 2 December in Rome (23:30 UTC on the 1st): the days count from the 2nd.
    late = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert deadline_after(late, 15, "Europe/Rome") == datetime(2026, 12, 17, 22, 59, 59, tzinfo=UTC)


def _admitted(cast, at=OPENED):
    p = proposal_in("under_review", cast)
    p.notice_ends_at = None
    db.session.commit()
    fire(p, "admit", cast.officer, now=at)
    db.session.commit()
    return p


def test_a_15_day_notice_opened_on_1_december_ends_at_the_end_of_16_december(app, client):
    cast = Cast()
    p = _admitted(cast)
    assert p.status == "public_notice" and p.notice_ends_at == LAST_SECOND

    # 21:00 UTC on the last day is 22:00 in Rome: the notice is still open.
    evening = datetime(2026, 12, 16, 21, 0, tzinfo=UTC)
    report = tick(evening)
    assert ("close_notice" not in {t for _, t, _ in report.fired}) and p.status == "public_notice"
    with pytest.raises(GuardRefused, match="has not ended"):
        fire(p, "close_notice", cast.officer, now=evening)
    db.session.rollback()
    response = client.get(f"/pacts/{p.id}")
    assert "under public notice until 16 December 2026" in response.get_data(as_text=True)
    assert "21:00" not in response.get_data(as_text=True)

    tick(datetime(2026, 12, 16, 23, 0, tzinfo=UTC))  # midnight in Rome: the notice is over
    db.session.expire_all()
    assert p.status == "co_design"


def test_the_public_page_and_the_feed_give_the_last_day_in_each_language(app, client):
    cast = Cast()
    p = _admitted(cast)
    page = client.get(f"/pacts/{p.id}", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert "16/12/2026" in page and "2026-12-16" not in page.replace('datetime="2026-12-16', "")
    assert "UTC" not in page
    feed = client.get("/feeds/notice.atom", headers={"Accept-Language": "it"}).get_data(
        as_text=True
    )
    assert "In pubblicazione fino al 16/12/2026." in feed
    english = client.get("/feeds/notice.atom", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Under public notice until 16 December 2026." in english
    # The machine timestamps of the feed stay RFC 3339 in UTC.
    feed_root = ET.fromstring(english)  # noqa: S314 - our own feed, in a test
    updated = feed_root.find("{http://www.w3.org/2005/Atom}entry/{*}updated").text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", updated)


def test_the_integration_reply_and_deliberation_deadlines_end_at_day_end(app):
    cast = Cast()
    p = proposal_in("under_review", cast)
    fire(p, "request_integration", cast.officer, now=OPENED, message="Send the statute.")
    db.session.commit()
    # 30 days from 1 December: the end of 31 December in Rome.
    assert p.integration_due_at == datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC)
    tick(datetime(2026, 12, 31, 22, 0, tzinfo=UTC))
    db.session.expire_all()
    assert p.status == "awaiting_integration"
    tick(datetime(2026, 12, 31, 23, 0, tzinfo=UTC))
    db.session.expire_all()
    assert p.status == "archived"

    council = proposal_in("co_design", cast, pact_type="complex")
    fire(council, "agree_draft", cast.officer, now=OPENED)
    assert council.deliberation_due_at == datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC)
