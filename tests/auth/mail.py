"""Reading the account e-mails a test caused: from the outbox, before they are sent."""

from __future__ import annotations

import re

from commons.extensions import db
from commons.notifications.models import Notification

CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def outbox(email: str) -> list[Notification]:
    """The messages queued for ``email``, oldest first."""
    return db.session.scalars(
        db.select(Notification)
        .where(Notification.recipient_email == email)
        .order_by(Notification.id)
    ).all()


def mailed_link(email: str, path: str) -> str:
    """The path of the last link starting with ``path`` mailed to ``email``."""
    for note in reversed(outbox(email)):
        found = re.search(re.escape(path) + r"[\w-]+", note.body)
        if found:
            return found.group(0)
    raise AssertionError(f"no {path} link mailed to {email}")


def same_page(a: str, b: str, email_a: str, email_b: str) -> bool:
    """The two pages are the same but for the address typed and the CSRF token."""

    def plain(page: str, email: str) -> str:
        return CSRF_VALUE.sub(r'\1-"', page).replace(email, "ADDRESS")

    return plain(a, email_a) == plain(b, email_b)
