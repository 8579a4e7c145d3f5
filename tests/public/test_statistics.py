"""The statistics page: counts by state, district and year; days per stage against the limits."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

import workflows
from commons.extensions import db
from commons.public import statistics as stats
from tests.factories import proposal as make_proposal
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire
from workflows.engine import ProfileError


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
    assert _row(page, "by-stage", "Review of the proposal") == ["2", "26", "30", "1 (50%)"]
    assert _row(page, "by-stage", "Reply to an integration request") == ["1", "4", "30", "0 (0%)"]
    assert _row(page, "by-stage", "Public notice") == ["1", "16", "15 / 30", "1 (100%)"]
    assert _row(page, "by-stage", "Council deliberation") == ["0", "–", "30", "–"]
    assert "1 of 2 finished reviews (50%) took longer than the regulation allows." in page


def test_an_empty_register_has_statistics_too(client):
    page = client.get("/statistics").get_data(as_text=True)
    assert "No data yet." in page and "No review has finished yet." in page
    assert "Statistics" in client.get("/").get_data(as_text=True)


# --- The figures aggregated in SQL equal a replay of the history in Python ------------------
# The replay below is how the page computed them before they moved into SQL (one pass over
# every event of every proposal); it stays here as the reference they must equal.


class _Replay:
    """The review clock of one proposal, replayed from its events."""

    def __init__(self):
        self.started = self.paused_at = None
        self.paused = 0.0

    def step(self, trigger, from_state, at):
        if trigger == "submit":
            self.started, self.paused_at, self.paused = at, None, 0.0
        elif self.started is None:
            return None
        elif trigger == "request_integration":
            self.paused_at = at
        elif trigger == "integrate" and self.paused_at is not None:
            self.paused += (at - self.paused_at).total_seconds()
            self.paused_at = None
        elif trigger in ("archive", "withdraw"):
            self.started = None
        elif trigger in ("admit", "reject") and from_state in stats.review_open_states():
            seconds = (at - self.started).total_seconds() - self.paused
            self.started = None
            return max(seconds, 0.0) / 86400
        return None


def _replayed(profile) -> dict:
    import statistics

    from sqlalchemy import select

    from commons.audit.models import AuditEvent
    from commons.proposals.models import Proposal

    def limit(key, name, pact_type):
        try:
            p = workflows.get_profile(name)
        except ProfileError:
            p = workflows.get_profile(None)
        if key == "review":
            return p.clocks["review_days"]
        if key == "notice":
            return p.notice_days(pact_type) if pact_type in p.pact_types else None
        return p.clocks["integration_reply_days" if key == "integration" else "deliberation_days"]

    found = {key: [] for key in ("review", "integration", "notice", "deliberation")}
    rows = db.session.execute(
        select(
            AuditEvent.proposal_id,
            AuditEvent.trigger,
            AuditEvent.from_state,
            AuditEvent.to_state,
            AuditEvent.occurred_at,
            Proposal.pact_type,
            Proposal.profile,
        )
        .join(Proposal, Proposal.id == AuditEvent.proposal_id)
        .order_by(AuditEvent.proposal_id, AuditEvent.seq)
    )
    current, opened, review = None, {}, _Replay()
    for proposal_id, trigger, from_state, to_state, at, pact_type, name in rows:
        if proposal_id != current:
            current, opened, review = proposal_id, {}, _Replay()
        days = review.step(trigger, from_state, at)
        if days is not None:
            found["review"].append((days, limit("review", name, pact_type)))
        for key, opens, closes in stats.EVENT_STAGES:
            if trigger in opens and (key != "deliberation" or to_state == "political_approval"):
                opened[key] = at
            elif trigger in closes and key in opened:
                days = max((at - opened.pop(key)).total_seconds() / 86400, 0.0)
                found[key].append((days, limit(key, name, pact_type)))
    defaults = stats.profile_limits(profile)
    return {
        key: (
            len(items),
            statistics.median([d for d, _ in items]) if items else None,
            sum(1 for d, lim in items if lim is not None and d > lim),
            defaults[key] | {lim for _, lim in items if lim is not None},
        )
        for key, items in found.items()
    }


def _in_sql(profile) -> dict:
    return {
        s.key: (s.count, s.median, s.over, s.limits)
        for s in stats.stage_durations(db.session, profile)
    }


def _same(sql: dict, replay: dict) -> None:
    assert sql.keys() == replay.keys()
    for key, (count, median, over, limits) in replay.items():
        assert sql[key][0] == count, key
        assert sql[key][1] == (pytest.approx(median, rel=1e-12) if median is not None else None)
        assert sql[key][2:] == (over, limits), key


def test_stage_figures_equal_a_replay_of_a_generated_city(app, database_url):
    from bench.generate import main as generate

    out = io.StringIO()
    small = ["--commons", "40", "--proposals", "300", "--events", "3000", "--seed", "11"]
    assert generate([*small, "--database-url", database_url], out=out) == 0, out.getvalue()
    profile = workflows.get_profile(None)
    replay = _replayed(profile)
    assert all(replay[key][0] > 0 for key in replay)  # every stage is exercised
    _same(_in_sql(profile), replay)


def test_stage_figures_follow_the_clock_in_odd_histories(app, make):
    """Resubmission, repeated requests and answers, archiving and withdrawal mid-stage, an
    admission outside the review, a stage of exactly its limit, microseconds."""
    from commons.audit.operations import append_event

    cast = Cast()
    t0 = NOW.replace(microsecond=123456)

    def history(*steps, pact_type="ordinary", profile_name="labsus"):
        p = make_proposal(cast.group, pact_type=pact_type)
        p.profile = profile_name
        db.session.flush()
        for days, trigger, from_state, to_state in steps:
            append_event(
                trigger,
                proposal=p,
                from_state=from_state,
                to_state=to_state,
                occurred_at=t0 + timedelta(days=days),
            )

    r, ui, ai = "under_review", "awaiting_integration", "public_notice"
    history(
        (0, "submit", "draft", "submitted"),
        (1, "request_integration", r, ui),
        (2, "request_integration", ui, ui),
        (5, "integrate", ui, r),
        (6, "integrate", r, r),
        (9, "submit", r, "submitted"),  # starts the review again
        (10, "request_integration", r, ui),
        (12.5, "integrate", ui, r),
        (40, "admit", r, ai),
        (55, "close_notice", ai, "co_design"),  # exactly the 15-day limit: not past it
        (60, "agree_draft", "co_design", "legal_review"),  # no council stage
        (61, "record_deliberation", "legal_review", "legal_review"),
    )
    history(
        (0, "submit", "draft", "submitted"),
        (3, "archive", r, "archived"),
        (4, "admit", "archived", ai),  # outside the review: no clock
        (20, "withdraw", ai, "withdrawn"),
        pact_type="complex",
    )
    history(
        (0, "submit", "draft", "submitted"),
        (2, "withdraw", r, "withdrawn"),
        (3, "request_integration", r, ui),
        (4, "integrate", ui, r),
        (31, "reject", "submitted", "rejected"),
        profile_name="no-such-profile",  # counted with the default regulation
    )
    history(
        (0, "submit", "draft", "submitted"),
        (70, "reject", r, "rejected"),
        (71, "agree_draft", "co_design", "political_approval"),
        (72, "agree_draft", "co_design", "political_approval"),
        (90.000001, "record_deliberation", "political_approval", "legal_review"),
        profile_name="simplified",
    )
    db.session.commit()
    profile = workflows.get_profile(None)
    replay = _replayed(profile)
    assert replay["review"][0] == 2 and replay["notice"][:3] == (2, 15.5, 0)
    _same(_in_sql(profile), replay)


def test_figures_are_kept_until_the_history_moves(app, client, monkeypatch):
    """The figures are computed once per state of the audit chain, and again after any event."""
    cast = Cast()
    proposal_in("active", cast)
    computed = []
    real = stats.by_state

    def counting(session):
        computed.append(1)
        return real(session)

    monkeypatch.setattr(stats, "by_state", counting)
    first = client.get("/statistics").get_data(as_text=True)
    again = client.get("/statistics").get_data(as_text=True)
    assert len(computed) == 1
    assert _row(first, "by-state", "Active") == _row(again, "by-state", "Active") == ["1"]

    p = proposal_in("co_design", cast)
    fire(p, "withdraw", cast.representative, reasons="We are moving elsewhere.")
    db.session.commit()
    after = client.get("/statistics").get_data(as_text=True)
    assert len(computed) == 2
    assert _row(after, "by-state", "Withdrawn") == ["1"]


def test_figures_older_than_the_limit_are_computed_again(app, client, monkeypatch):
    """A change written without an event (a bulk load by hand) shows once the figures expire."""
    computed = []
    real = stats.by_state
    monkeypatch.setattr(stats, "by_state", lambda session: computed.append(1) or real(session))
    client.get("/statistics")
    client.get("/statistics")
    assert len(computed) == 1
    monkeypatch.setattr(stats, "CACHE_SECONDS", 0.0)
    client.get("/statistics")
    assert len(computed) == 2
