"""E-mail delivery of the outbox over SMTP, with retries: a message is never lost.

``commons notifications send`` (and ``commons tick``) calls ``send_due``. Each due message is
written in each recipient's language and sent; on success ``sent_at`` is set. A failure counts
an attempt, keeps the error and schedules the next try later (the wait doubles each time, up
to a day), so a later run retries it.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import or_, select

from commons.auth.models import User, UserRole
from commons.auth.tokens import LINK_KINDS
from commons.extensions import db
from commons.links import public_base
from commons.notifications.messages import render
from commons.notifications.models import Notification
from commons.transactions import commit_step

BATCH = 200
FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=24)


@dataclass
class SendReport:
    configured: bool = True
    sent: list[int] = field(default_factory=list)  # notification ids
    failed: list[tuple[int, str]] = field(default_factory=list)  # (id, error)


def smtp_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def retry_wait(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure: 5 min, 10, 20... up to a day."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


@dataclass(frozen=True)
class Address:
    """Someone without an account (an invitation to join a group): only an e-mail address.

    ``id`` 0 stands for this address in ``delivered_to``, which otherwise holds user ids.
    """

    email: str
    id: int = 0
    locale: str | None = None


def _recipients(note: Notification) -> list[User | Address]:
    if note.recipient_email:
        return [Address(note.recipient_email)]
    if note.recipient_id is not None:
        user = db.session.get(User, note.recipient_id)
        return [user] if user is not None and user.active else []
    if note.recipient_role:
        return list(
            db.session.scalars(
                select(User)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == note.recipient_role, User.active.is_(True))
                .order_by(User.id)
            )
        )
    return []


def _language(user: User | Address) -> str:
    languages = current_app.config["LANGUAGES"]
    if user.locale in languages:
        return user.locale
    city = current_app.config.get("CITY_LANGUAGE")
    return city if city in languages else "en"


def compose(note: Notification, user: User | Address) -> EmailMessage:
    """The e-mail for ``user``, in their language, with a link to the case."""
    subject, body = render(note, _language(user))
    base = public_base()
    link = f"{base}/proposals/{note.proposal_id}" if note.proposal_id else f"{base}/notifications"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["SMTP_FROM"]
    message["To"] = user.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="commons")
    message["Content-Language"] = _language(user)
    message.set_content(f"{body}\n\n{link}\n\n-- \n{current_app.config['CITY_OFFICE']}\n")
    return message


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    smtp = smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=cfg["SMTP_TIMEOUT"])
    if cfg["SMTP_STARTTLS"]:
        smtp.starttls(context=ssl.create_default_context())
    if cfg.get("SMTP_USERNAME"):
        smtp.login(cfg["SMTP_USERNAME"], cfg.get("SMTP_PASSWORD") or "")
    return smtp


def _failed(note: Notification, error: str, now: datetime, report: SendReport) -> None:
    note.attempts += 1
    note.last_error = error[:2000]
    note.next_attempt_at = now + retry_wait(note.attempts)
    report.failed.append((note.id, error))


def due_notifications(now: datetime, limit: int = BATCH) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.sent_at.is_(None),
                or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
            )
            .order_by(Notification.id)
            .limit(limit)
        )
    )


def send_due(now: datetime) -> SendReport:
    """E-mail every due notification; commit after each so progress is never lost.

    A batch job (``commons notifications send``, ``commons tick``): each message's outcome is
    committed through :func:`commons.transactions.commit_step` as soon as it is known, so a
    failure later on never sends an earlier message again.
    """
    if not smtp_configured():
        return SendReport(configured=False)
    report = SendReport()
    smtp = None
    try:
        for note in due_notifications(now):
            users = [u for u in _recipients(note) if u.id not in (note.delivered_to or [])]
            if not users and not note.delivered_to:
                _failed(note, "nobody to send it to (no active recipient)", now, report)
                commit_step()  # per message: its outcome is kept whatever happens next
                continue
            try:
                for user in users:
                    if smtp is None:
                        smtp = _connect()
                    smtp.send_message(compose(note, user))
                    note.delivered_to = [*(note.delivered_to or []), user.id]
            except (smtplib.SMTPException, OSError) as error:
                _failed(note, f"{type(error).__name__}: {error}", now, report)
                commit_step()  # per message: who got it is kept, so nobody gets it twice
                if smtp is not None:
                    try:
                        smtp.quit()
                    except (smtplib.SMTPException, OSError):
                        pass
                smtp = None
                continue
            note.attempts += 1
            note.sent_at = now
            note.last_error = None
            note.next_attempt_at = None
            if note.kind in LINK_KINDS:
                note.body = ""  # the link was a secret for the e-mail only
            report.sent.append(note.id)
            commit_step()  # per message: a message sent is never sent again
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
    return report
