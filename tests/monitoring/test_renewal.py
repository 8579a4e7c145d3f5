"""Renewal as the regulation says: the window before the end, a successor numbered and linked
at once, and one pact in force on the commons every day, whether the successor is signed
before or after the old pact's end."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from commons.audit.models import AuditEvent
from commons.extensions import db
from commons.monitoring.operations import tick
from commons.proposals.models import Proposal, proposal_commons
from commons.proposals.standing import standing
from tests.conftest import csrf_token, login
from tests.workflows.scenario import Cast, data_for, proposal_in
from workflows import fire
from workflows.errors import GuardRefused

# The old pact's term in the continuity walks: four months, then a four-month renewal.
OLD_START, OLD_END = date(2026, 3, 1), date(2026, 7, 1)


def _at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock of ``day`` in the city (Rome: UTC+1 in winter, UTC+2 in summer)."""
    return (
        datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Europe/Rome"))
        .replace(hour=hour)
        .astimezone(UTC)
    )


def _active_pact(cast: Cast, start: date = OLD_START, end: date = OLD_END) -> Proposal:
    p = proposal_in("active", cast)
    p.start_date, p.end_date = start, end
    p.requested_duration_months = 4
    p.next_report_due_on = end
    for commons in p.commons:
        commons.availability = "in_pact"
    db.session.commit()
    return p


def _fire(p: Proposal, trigger: str, actor, day: date, **extra) -> None:
    fire(p, trigger, actor, now=_at(day), **{**data_for(trigger, actor), **extra})
    db.session.commit()


def _renew(cast: Cast, old: Proposal, day: date) -> Proposal:
    """The representative files the final report; the legal officer renews the pact."""
    _fire(old, "file_report", cast.representative, day)
    _fire(old, "renew", cast.legal, day)
    return db.session.scalar(select(Proposal).where(Proposal.predecessor_id == old.id))


def _agree_and_approve(cast: Cast, successor: Proposal, day: date) -> None:
    _fire(successor, "agree_draft", cast.officer, day)
    _fire(successor, "approve", cast.legal, day, act_date=(day - timedelta(days=1)).isoformat())


def _sign(cast: Cast, successor: Proposal, day: date) -> None:
    _fire(successor, "sign", cast.representative, day)
    _fire(successor, "sign", cast.legal, day)


def _in_force_on(commons_id: int, day: date) -> list[Proposal]:
    """The pacts the pages call "in force" on this commons on ``day``."""
    pacts = db.session.scalars(
        select(Proposal)
        .join(proposal_commons, proposal_commons.c.proposal_id == Proposal.id)
        .where(proposal_commons.c.commons_id == commons_id)
    ).all()
    return [p for p in pacts if standing(p, day).in_force]


# --- the window --------------------------------------------------------------------------


def test_renewal_is_refused_before_the_window_with_the_day_it_opens(app):
    cast = Cast()
    p = _active_pact(cast, start=date(2026, 1, 1), end=date(2027, 1, 1))
    with pytest.raises(GuardRefused) as refused:
        fire(p, "open_renewal", cast.representative, now=_at(date(2026, 2, 1)))
    assert refused.value.rule == "renewal_window_open"
    assert "Renewal can be asked from 2 November 2026" in refused.value.message
    db.session.rollback()
    assert p.status == "active"
    # The clock does not open it early either, and opens it on the first day of the window.
    assert tick(_at(date(2026, 11, 1))).fired == []
    assert p.status == "active"
    assert [t for _, t, _ in tick(_at(date(2026, 11, 2))).fired] == ["open_renewal"]
    assert p.status == "renewal_review"


def _case_page(client, p: Proposal, language: str) -> str:
    response = client.get(f"/proposals/{p.id}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Renewal can be asked from {en}, 60 days before the pact ends."),
        ("it", "Il rinnovo si può chiedere dal {it}, 60 giorni prima della fine del patto."),
    ],
)
def test_the_representative_is_told_when_renewal_opens_instead_of_a_button(
    app, client, language, expected
):
    from commons.formatting import day_text

    cast = Cast()
    today = datetime.now(UTC).date()
    p = _active_pact(cast, start=today - timedelta(days=30), end=today + timedelta(days=200))
    opens = p.end_date - timedelta(days=60)
    login(client, cast.representative.email)
    page = _case_page(client, p, language)
    sentence = expected.format(en=day_text(opens, "en"), it=day_text(opens, "it"))
    assert sentence in page.replace("&#39;", "'")
    assert f"/proposals/{p.id}/actions/open_renewal" not in page  # no button that cannot work
    # "My proposals" says the same in its next-actions column.
    mine = client.get("/proposals/mine", headers={"Accept-Language": language})
    day = day_text(opens, language)
    wording = {"en": f"Open renewal from {day}", "it": f"Avvia il rinnovo dal {day}"}
    assert wording[language] in mine.get_data(as_text=True)
    # Inside the window the button is offered, and it works.
    p.end_date = today + timedelta(days=30)
    db.session.commit()
    page = _case_page(client, p, language)
    assert f"/proposals/{p.id}/actions/open_renewal" in page
    response = client.post(
        f"/proposals/{p.id}/actions/open_renewal",
        data={
            "csrf_token": csrf_token(client, f"/proposals/{p.id}"),
            "expected_version": p.lock_version,
        },
    )
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.status == "renewal_review"


# --- the successor -----------------------------------------------------------------------


def test_renewal_keeps_the_old_pact_in_force_and_numbers_and_links_the_successor(app, client):
    cast = Cast()
    old = _active_pact(cast)
    _fire(old, "open_renewal", cast.representative, date(2026, 5, 10))
    successor = _renew(cast, old, date(2026, 5, 20))

    assert old.status == "renewal_granted"
    assert standing(old, date(2026, 5, 20)).in_force
    assert all(c.availability == "in_pact" for c in old.commons)
    assert re.fullmatch(r"2026/\d{6}", successor.protocol_number)
    assert successor.protocol_number != old.protocol_number
    assert successor.status == "co_design" and successor.predecessor == old
    assert old.successors == [successor]
    assert successor.start_date == date(2026, 7, 2)
    assert successor.end_date == date(2026, 11, 2)
    assert [c.id for c in successor.commons] == [c.id for c in old.commons]
    assert standing(successor, date(2026, 5, 20)).kind == "planned"
    renew_event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.proposal_id == old.id, AuditEvent.trigger == "renew")
    ).one()
    assert renew_event.payload["successor_protocol_number"] == successor.protocol_number
    # Both case pages link to each other, by protocol number.
    login(client, cast.legal.email)
    page = _case_page(client, old, "en")
    assert f'href="/proposals/{successor.id}">{successor.protocol_number}</a>' in page
    assert "planned" in page
    page = _case_page(client, successor, "en")
    assert f'href="/proposals/{old.id}">{old.protocol_number}</a>' in page


def _walk(cast: Cast, old: Proposal, sign_on: date) -> Proposal:
    """Every day from the old pact's start to the successor's end: the clock runs, the people
    act on their days, and exactly one pact is in force on the commons, which stays "in a
    pact". On every day the clock did something, and every seventh day, it runs again at once
    and must then do nothing (a second run on a quiet day has nothing to find either way)."""
    commons = old.commons[0]
    successor = None
    day = OLD_START
    while successor is None or day <= successor.end_date:
        first = tick(_at(day, hour=1))
        assert all(t != "expire" for _, t, _ in first.fired), (day, first.fired)
        if first.fired or first.notified or day.toordinal() % 7 == 0:
            again = tick(_at(day, hour=1))
            assert again.fired == [] and again.notified == [], day
        if day == date(2026, 5, 20):
            assert old.status == "renewal_review"  # opened by the clock, in the window
            successor = _renew(cast, old, day)
        if day == date(2026, 6, 1):
            _agree_and_approve(cast, successor, day)
        if day == sign_on:
            _sign(cast, successor, day)
        in_force = _in_force_on(commons.id, day)
        assert len(in_force) == 1, (day, [(p.id, p.status, p.start_date) for p in in_force])
        old_until = max(OLD_END, sign_on - timedelta(days=1))
        assert in_force[0] == (old if day <= old_until else successor), day
        db.session.refresh(commons)
        assert commons.availability == "in_pact", day
        day += timedelta(days=1)
    return successor


def test_successor_signed_before_the_end_starts_the_day_after_it(app, client):
    cast = Cast()
    old = _active_pact(cast)
    successor = _walk(cast, old, sign_on=date(2026, 6, 10))
    assert successor.start_date == date(2026, 7, 2) and successor.end_date == date(2026, 11, 2)
    # The successor is in force; the clock opened its own renewal window in September.
    assert old.status == "renewed" and successor.status == "renewal_review"
    handed_over = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.proposal_id == old.id, AuditEvent.trigger == "complete_renewal"
        )
    ).one()
    assert handed_over.occurred_at.date() == date(2026, 7, 1)  # 01:00 in Rome on 2 July
    assert handed_over.actor_role == "system"


def test_successor_signed_after_the_end_keeps_the_old_pact_in_force_until_then(app):
    cast = Cast()
    old = _active_pact(cast)
    successor = _walk(cast, old, sign_on=date(2026, 7, 15))
    # No day without a pact: the old one stayed in force past its end, never expired, and
    # the successor's term starts the day after the old one ended.
    assert old.status == "renewed" and successor.status == "renewal_review"
    assert successor.start_date == date(2026, 7, 2) and successor.end_date == date(2026, 11, 2)
    triggers = db.session.scalars(
        select(AuditEvent.trigger).where(AuditEvent.proposal_id == old.id).order_by(AuditEvent.seq)
    ).all()
    assert "expire" not in triggers and triggers[-1] == "complete_renewal"
    last_signature = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.proposal_id == successor.id, AuditEvent.trigger == "sign")
        .order_by(AuditEvent.seq.desc())
    ).first()
    handed_over = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.proposal_id == old.id, AuditEvent.trigger == "complete_renewal"
        )
    ).one()
    assert handed_over.occurred_at == last_signature.occurred_at
    assert handed_over.seq == last_signature.seq + 1


def test_a_rejected_renewal_lets_the_old_pact_expire(app):
    cast = Cast()
    old = _active_pact(cast)
    _fire(old, "open_renewal", cast.representative, date(2026, 5, 10))
    successor = _renew(cast, old, date(2026, 5, 20))
    # Past its end, the old pact waits for its renewal instead of expiring.
    assert tick(_at(date(2026, 7, 5))).fired == []
    assert old.status == "renewal_granted"
    assert standing(old, date(2026, 7, 5)).in_force
    _fire(successor, "reject", cast.legal, date(2026, 7, 6))
    assert successor.status == "rejected"
    assert old.status == "expired"  # at once: its end had passed
    assert all(c.availability == "available" for c in old.commons)
    assert _in_force_on(old.commons[0].id, date(2026, 7, 6)) == []


def test_pages_say_in_force_signed_starts_on_and_planned(app, client):
    cast = Cast()
    today = datetime.now(UTC).date()
    old = _active_pact(cast, start=today - timedelta(days=100), end=today + timedelta(days=20))
    old.status = "renewal_granted"
    signed = proposal_in("active", cast)
    signed.predecessor_id, signed.commons = old.id, list(old.commons)
    signed.start_date, signed.end_date = old.end_date + timedelta(days=1), today + timedelta(400)
    other = _active_pact(cast, start=today - timedelta(days=100), end=today + timedelta(days=20))
    other.status = "renewal_granted"
    planned = proposal_in("co_design", cast)
    planned.predecessor_id, planned.commons = other.id, list(other.commons)
    db.session.commit()
    starts = signed.start_date
    from commons.formatting import day_text

    for language, words in (
        ("en", ("This pact is in force.", "This pact is signed and starts on", "planned")),
        ("it", ("Questo patto è in vigore.", "Questo patto è firmato e inizia il", "previsto")),
    ):
        headers = {"Accept-Language": language}
        day = day_text(starts, language)
        page = client.get(f"/pacts/{old.id}", headers=headers).get_data(as_text=True)
        assert words[0] in page
        page = client.get(f"/pacts/{signed.id}", headers=headers).get_data(as_text=True)
        assert f"{words[1]} {day}." in page and words[0] not in page
        page = client.get(f"/pacts/{planned.id}", headers=headers).get_data(as_text=True)
        assert words[2] in page and words[0] not in page
        commons_page = client.get(f"/commons/{old.commons[0].id}", headers=headers).get_data(
            as_text=True
        )
        assert day in commons_page
        # The register counts one pact in force, and says when the renewal starts.
        register = client.get("/commons/", headers=headers).get_data(as_text=True)
        row = register.split(f"/commons/{old.commons[0].id}", 1)[1].split("</tr>", 1)[0]
        assert re.search(r"<td>1<br>", row), row
        assert day in row
        row = register.split(f"/commons/{other.commons[0].id}", 1)[1].split("</tr>", 1)[0]
        planned_words = {"en": "renewals planned: 1", "it": "rinnovi previsti: 1"}
        assert re.search(r"<td>1<br>", row) and planned_words[language] in row, row
    login(client, cast.officer.email)
    page = client.get(f"/proposals/{signed.id}", headers={"Accept-Language": "en"})
    assert f"This pact is signed and starts on {day_text(starts, 'en')}." in (
        page.get_data(as_text=True)
    )
