"""Every notification is made by notifications.operations.new_notification."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import commons
from commons.extensions import db
from commons.notifications.models import Notification
from commons.notifications.operations import new_notification


def test_no_other_place_constructs_a_notification():
    root = Path(commons.__file__).parent
    makers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if re.search(r"(?<!class )\bNotification\(", path.read_text())
    )
    assert makers == ["notifications/operations.py"]


def test_new_notification_fills_the_row(app):
    when = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    note = new_notification(
        kind="invitation",
        dedup_key="test:one",
        subject="x" * 400,
        recipient_email="someone@example.org",
        created_at=when,
    )
    db.session.commit()
    stored = db.session.get(Notification, note.id)
    assert len(stored.subject) == 300 and stored.params == {} and stored.body == ""
    assert stored.recipient_email == "someone@example.org" and stored.recipient_id is None
    assert stored.created_at == when
