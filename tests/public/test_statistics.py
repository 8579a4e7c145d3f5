"""The statistics page: counts by state, district and year; days per stage against the limits."""

from __future__ import annotations

import re
from datetime import timedelta

from commons.extensions import db
from tests.factories import proposal as make_proposal
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire


def _row(page: str, table_id: str, heading: str) -> list[str]:
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    row = table.split(f'<th scope="row">{heading}</th>', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'<td class="text-end">([^<]*)</td>', row)


def test_counts_by_state_district_and_year(client, make):
    cast = Cast()
    for state in ("active", "active", "expired", "public_notice", "draft"):
        proposal_in(state, cast)
    savena = make.commons(district="Savena")
    p = proposal_in("rejected", cast)
    p.commons = [p.commons[0], savena]
    db.session.commit()

    page = client.get("/statistics").get_data(as_text=True)
    assert _row(page, "by-state", "Active") == ["2"]
    assert _row(page, "by-state", "Expired") == ["1"]
    assert _row(page, "by-state", "Rejected") == ["1"]
    assert "Draft" not in page.split('id="by-state"', 1)[1].split("</table>", 1)[0]
    assert _row(page, "by-district", "Centro") == ["5"]
    assert _row(page, "by-district", "Savena") == ["1"]
    assert _row(page, "by-year", "2026") == ["5"]  # proposal_in submits them in May 2026
    # Every chart is a table with a caption; the bars are decorative.
    assert page.count("<caption>") == 4 and 'aria-hidden="true"' in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def _submitted(cast: Cast, at):
    """A proposal submitted and taken in charge through the engine, with its events."""
    p = make_proposal(cast.group)
    fire(p, "submit", cast.representative, now=at)
    fire(p, "take_in_charge", cast.officer, now=at + timedelta(days=1))
    return p


def test_days_per_stage_against_the_limits_and_reviews_past_the_deadline(client, make):
    cast = Cast()
    start = NOW - timedelta(days=10)
    # Integration asked at NOW, answered 4 days later (the review pauses); admitted at
    # NOW + 6 days: a 12-day review. The public notice closed 16 days later.
    quick = _submitted(cast, start)
    fire(quick, "request_integration", cast.officer, now=NOW, message="Send the statute.")
    fire(quick, "integrate", cast.representative, now=NOW + timedelta(days=4), answer="Here.")
    fire(quick, "admit", cast.officer, now=NOW + timedelta(days=6))
    fire(quick, "close_notice", cast.officer, now=NOW + timedelta(days=22))
    # Rejected at NOW + 30 days: a 40-day review, past the 30 allowed.
    slow = _submitted(cast, start)
    fire(slow, "reject", cast.officer, now=NOW + timedelta(days=30), reasons="Out of scope.")
    # Still under review: not a finished review.
    _submitted(cast, start)
    db.session.commit()

    page = client.get("/statistics").get_data(as_text=True)
    assert _row(page, "by-stage", "Review of the proposal") == ["2", "26.0", "30", "1 (50%)"]
    assert _row(page, "by-stage", "Reply to an integration request") == ["1", "4.0", "30", "0 (0%)"]
    assert _row(page, "by-stage", "Public notice") == ["1", "16.0", "15 / 30", "1 (100%)"]
    assert _row(page, "by-stage", "Council deliberation") == ["0", "–", "30", "–"]
    assert "1 of 2 finished reviews (50%) took longer than the regulation allows." in page


def test_an_empty_register_has_statistics_too(client):
    page = client.get("/statistics").get_data(as_text=True)
    assert "No data yet." in page and "No review has finished yet." in page
    assert "Statistics" in client.get("/").get_data(as_text=True)
