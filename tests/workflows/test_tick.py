"""The clock: time-based transitions, reminders, the paused review clock, idempotence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from commons.audit.models import AuditEvent
from commons.extensions import db
from commons.monitoring.operations import tick
from commons.notifications.models import Notification
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_time_based_transitions_fire_when_due_and_only_then(app):
    cast = Cast()
    integration = proposal_in("awaiting_integration", cast)
    notice = proposal_in("public_notice", cast)
    ending = proposal_in("active", cast)  # ends 2026-07-01: renewal window open at NOW
    past_end = proposal_in("renewal_review", cast)
    withdrawing = proposal_in("active", cast)
    for p, due in ((integration, NOW + timedelta(days=3)), (notice, NOW + timedelta(days=3))):
        p.integration_due_at = p.notice_ends_at = due
    past_end.end_date = date(2026, 6, 10)
    withdrawing.end_date = date(2027, 12, 31)
    withdrawing.withdrawal_effective_on = date(2026, 6, 3)
    db.session.commit()

    early = tick(NOW)
    assert {(t, s) for _, t, s in early.fired} == {("open_renewal", "renewal_review")}
    assert (integration.status, notice.status) == ("awaiting_integration", "public_notice")

    later = tick(NOW + timedelta(days=20))
    fired = {(protocol, trigger) for protocol, trigger, _ in later.fired}
    assert (integration.protocol_number, "archive") in fired
    assert (notice.protocol_number, "close_notice") in fired
    assert (past_end.protocol_number, "expire") in fired
    assert (withdrawing.protocol_number, "complete_withdrawal") in fired
    db.session.expire_all()
    assert integration.status == "archived" and notice.status == "co_design"
    assert ending.status == "renewal_review" and past_end.status == "expired"
    assert withdrawing.status == "withdrawn"
    system_events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.trigger.in_(["archive", "close_notice", "expire", "open_renewal"])
        )
    ).all()
    assert system_events and all(
        e.actor_id is None and e.actor_role == "system" for e in system_events
    )


def test_tick_twice_does_nothing_more(app):
    cast = Cast()
    proposal_in("awaiting_integration", cast)
    overdue = proposal_in("active", cast)
    overdue.next_report_due_on = date(2026, 5, 1)
    overdue.end_date = date(2028, 1, 1)
    db.session.commit()
    first = tick(NOW)
    assert first.fired and first.notified
    events, notes = _count(AuditEvent), _count(Notification)
    second = tick(NOW)
    assert second.fired == [] and second.notified == []
    assert (_count(AuditEvent), _count(Notification)) == (events, notes)


def test_overdue_review_escalates_once_and_pause_does_not_count(app):
    cast = Cast()
    p = proposal_in("draft", cast)
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    fire(p, "submit", cast.representative, now=t0)
    fire(p, "take_in_charge", cast.officer, now=t0 + timedelta(days=1))
    fire(
        p,
        "request_integration",
        cast.officer,
        now=t0 + timedelta(days=10),
        message="Send the plan.",
    )
    fire(p, "integrate", cast.representative, now=t0 + timedelta(days=30), answer="Here.")
    db.session.commit()
    # 35 calendar days after submission, but 20 were paused: 15 days of review, not overdue.
    assert tick(t0 + timedelta(days=35)).notified == []
    # At 51 days (31 of review) the legal officer is told, once.
    report = tick(t0 + timedelta(days=51))
    assert [kind for _, kind in report.notified] == ["review_overdue"]
    note = db.session.scalar(select(Notification).where(Notification.kind == "review_overdue"))
    assert note.recipient_role == "legal" and p.protocol_number in note.subject
    assert tick(t0 + timedelta(days=60)).notified == []


def test_reminders_for_reports_deliberations_and_integration(app):
    cast = Cast()
    active = proposal_in("active", cast)
    active.next_report_due_on, active.end_date = date(2026, 5, 20), date(2028, 1, 1)
    council = proposal_in("political_approval", cast, pact_type="complex")
    council.deliberation_due_at = NOW - timedelta(days=1)
    waiting = proposal_in("awaiting_integration", cast)
    waiting.integration_due_at = NOW + timedelta(days=5)
    db.session.commit()
    kinds = sorted(kind for _, kind in tick(NOW).notified)
    assert kinds == ["deliberation_overdue", "integration_due", "report_overdue", "report_overdue"]
    recipients = {
        n.recipient_id
        for n in db.session.scalars(
            select(Notification).where(Notification.kind == "report_overdue")
        )
    }
    assert recipients == {cast.representative.id, cast.officer.id}


def test_tick_command_with_fixed_clock(runner, app):
    cast = Cast()
    proposal_in("awaiting_integration", cast)
    result = runner.invoke(args=["tick", "--now", "2026-06-01T12:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "fired   archive" in result.output
    again = runner.invoke(args=["tick", "--now", "2026-06-01T12:00:00+00:00"])
    assert "0 transitions, 0 notifications" in again.output
    bad = runner.invoke(args=["tick", "--now", "yesterday"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output
