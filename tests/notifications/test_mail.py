"""E-mail over SMTP: a real local server (aiosmtpd), languages, failure then retry."""

from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from commons.extensions import db
from commons.notifications.mail import retry_wait, send_due
from commons.notifications.models import Notification
from tests import factories
from tests.workflows.scenario import NOW, Cast, proposal_in
from workflows import fire


class Inbox:
    """An aiosmtpd handler keeping every message; can refuse the next ones on demand."""

    def __init__(self):
        self.messages = []
        self.refuse = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Mailbox temporarily unavailable"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, msg))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=controller.port,
        SMTP_STARTTLS=False,
        SMTP_USERNAME="",
        SMTP_FROM="commons@city.example",
        SMTP_TIMEOUT=5,
    )
    yield inbox, controller
    controller.stop()


def _reject(cast, p, reasons="Outside the scope."):
    fire(p, "reject", cast.officer, now=NOW, reasons=reasons)
    db.session.commit()
    return db.session.scalar(select(Notification).where(Notification.proposal_id == p.id))


def test_due_notifications_are_sent_in_the_recipients_language(app, smtp):
    inbox, _ = smtp
    cast = Cast()
    cast.representative.locale = "it"
    db.session.commit()
    note = _reject(cast, proposal_in("under_review", cast), "Fuori ambito.")
    report = send_due(NOW)
    assert report.sent == [note.id] and report.failed == []
    [(to, msg)] = inbox.messages
    assert to == [cast.representative.email]
    assert msg["Subject"].startswith("La proposta") and "Fuori ambito." in msg.get_content()
    assert f"/proposals/{note.proposal_id}" in msg.get_content()
    db.session.refresh(note)
    assert note.sent_at == NOW and note.attempts == 1 and note.last_error is None
    assert send_due(NOW + timedelta(hours=1)).sent == []  # never twice
    assert len(inbox.messages) == 1


def test_a_message_to_a_role_reaches_each_holder(app, smtp):
    inbox, _ = smtp
    cast = Cast()
    second = factories.user("officer", locale="it")
    p = proposal_in("draft", cast)
    fire(p, "submit", cast.representative, now=NOW)
    db.session.commit()
    report = send_due(NOW)
    assert len(report.sent) == 1
    by_address = {to[0]: msg for to, msg in inbox.messages}
    assert set(by_address) == {cast.officer.email, second.email}
    assert by_address[cast.officer.email]["Subject"].startswith("New proposal submitted")
    assert by_address[second.email]["Subject"].startswith("Nuova proposta presentata")


def test_a_failed_send_is_kept_and_retried_later(app, smtp):
    inbox, controller = smtp
    cast = Cast()
    note = _reject(cast, proposal_in("under_review", cast))
    # First run: the server refuses the message (temporary error).
    inbox.refuse = 1
    report = send_due(NOW)
    assert report.sent == [] and [i for i, _ in report.failed] == [note.id]
    db.session.refresh(note)
    assert note.sent_at is None and note.attempts == 1
    assert "451" in note.last_error
    assert note.next_attempt_at == NOW + retry_wait(1)
    # Before its retry time nothing is attempted.
    assert send_due(NOW + timedelta(minutes=1)).failed == []
    # The mail server is down at the next try: a second failure, a longer wait.
    app.config["SMTP_PORT"] = _free_port()
    later = note.next_attempt_at
    report = send_due(later)
    db.session.refresh(note)
    assert note.attempts == 2 and note.sent_at is None and note.last_error
    assert note.next_attempt_at == later + retry_wait(2) and retry_wait(2) > retry_wait(1)
    # Back up: the message goes out, once.
    app.config["SMTP_PORT"] = controller.port
    report = send_due(note.next_attempt_at)
    db.session.refresh(note)
    assert report.sent == [note.id] and note.sent_at is not None and note.attempts == 3
    assert len(inbox.messages) == 1


def test_a_role_message_half_sent_is_not_sent_twice(app, smtp):
    inbox, _ = smtp
    cast = Cast()
    factories.user("officer")
    p = proposal_in("draft", cast)
    fire(p, "submit", cast.representative, now=NOW)
    db.session.commit()
    inbox.refuse = 0
    original = inbox.handle_DATA
    calls = {"n": 0}

    async def second_refused(server, session, envelope):
        calls["n"] += 1
        if calls["n"] == 2:
            return "451 4.3.0 try later"
        return await original(server, session, envelope)

    inbox.handle_DATA = second_refused
    assert send_due(NOW).failed
    note = db.session.scalar(select(Notification).where(Notification.proposal_id == p.id))
    assert len(note.delivered_to) == 1 and note.sent_at is None
    assert send_due(note.next_attempt_at).sent == [note.id]
    assert len(inbox.messages) == 2  # one to each officer, none repeated


def test_send_command_without_smtp_says_so(app, runner):
    app.config["SMTP_HOST"] = ""
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0 and "COMMONS_SMTP_HOST is not set" in result.output


def test_tick_sends_the_outbox(app, runner, smtp):
    inbox, _ = smtp
    cast = Cast()
    _reject(cast, proposal_in("under_review", cast))
    result = runner.invoke(args=["tick", "--now", "2026-06-01T12:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "e-mail: 1 sent, 0 failed" in result.output
    assert len(inbox.messages) == 1


def test_an_invitation_reaches_an_address_without_an_account(app, smtp):
    from commons.groups.operations import add_or_invite

    inbox, _ = smtp
    rita = factories.user("citizen", name="Rita Rossi")
    group = factories.group(rita, name="Orto condiviso")
    with app.test_request_context():
        add_or_invite(group, full_name="Nina Neri", email="nina@example.org", actor=rita)
    db.session.commit()
    report = send_due(NOW)
    assert len(report.sent) == 1 and report.failed == []
    [(to, msg)] = inbox.messages
    assert to == ["nina@example.org"]
    assert "Orto condiviso" in msg["Subject"] and "/groups/join/" in msg.get_content()
    assert send_due(NOW + timedelta(hours=1)).sent == []
