"""The notifications page lists what it says: newest first, page after page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from commons.extensions import db
from commons.notifications.operations import queue
from tests import factories
from tests.conftest import login

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _subjects(page: str) -> list[str]:
    return re.findall(r"Notice number (\d+)", page)


def test_notifications_are_listed_newest_first_across_pages(app, client):
    reader = factories.user()
    # Added in an order that is not the order of their times: a notification carries the
    # moment of what it tells (a transition recorded late, the clock's tick).
    days = [(n * 7) % 40 for n in range(40)]  # 0, 7, 14, ... a permutation of 0..39
    for n, day in enumerate(days):
        queue(
            "join_declined",
            {"who": "x", "group": "g", "title": f"Notice number {day}", "label": "", "link": ""},
            dedup_key=f"test:{n}",
            recipient_id=reader.id,
            created_at=START + timedelta(days=day),
        )
    db.session.commit()
    login(client, reader.email)
    first = client.get("/notifications/").get_data(as_text=True)
    shown = _subjects(first)
    assert shown == [str(d) for d in range(39, 9, -1)]  # the 30 newest, newest first
    next_link = re.search(
        r'href="(/notifications/\?after=[^"]+)" rel="next"|'
        r'rel="next" href="([^"]+)"',
        first,
    )
    assert next_link, "no link to the next page"
    second = client.get((next_link.group(1) or next_link.group(2)).replace("&amp;", "&"))
    assert _subjects(second.get_data(as_text=True)) == [str(d) for d in range(9, -1, -1)]
