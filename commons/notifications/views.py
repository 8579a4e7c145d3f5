"""The in-app notifications page: what needs my action, newest first; mark as read."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select

from commons.auth.permissions import ensure
from commons.extensions import db
from commons.notifications import operations
from commons.notifications.messages import render
from commons.notifications.models import Notification
from commons.pagination import decode_cursor, encode_cursor
from commons.routing import LARGEST_ID
from commons.transactions import transaction

notifications_bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE_SIZE = 30


def _after(token: str | None) -> tuple[datetime, int] | None:
    """The (time, id) of the last notification on the previous page, from the ``after`` cursor."""
    values = decode_cursor(token)
    if not values or len(values) != 2 or not str(values[1]).isdigit():
        return None
    try:
        moment = datetime.fromisoformat(str(values[0]))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment, min(int(values[1]), LARGEST_ID)


@notifications_bp.get("/")
@login_required
def index():
    """My notifications and those for my roles, newest first, keyset-paged by (time, id).

    By time, not by id: a notification may be recorded with the time of what it tells
    (a transition's moment, the clock's tick), which is not the order rows were added in.
    """
    ensure("notifications.read")
    stmt = select(Notification).where(operations.addressed_to(current_user))
    if request.args.get("unread") == "1":
        stmt = stmt.where(Notification.read_at.is_(None))
    after = _after(request.args.get("after"))
    if after:
        stmt = stmt.where(
            or_(
                Notification.created_at < after[0],
                and_(Notification.created_at == after[0], Notification.id < after[1]),
            )
        )
    rows = db.session.scalars(
        stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(PAGE_SIZE + 1)
    ).all()
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].id])
    items = [{"note": n, "text": render(n)} for n in rows]
    return render_template(
        "notifications/index.html",
        items=items,
        next_cursor=next_cursor,
        unread_only=request.args.get("unread") == "1",
        paged=bool(after),
    )


def _load(note_id: int) -> Notification:
    note = db.session.get(Notification, note_id) or abort(404)
    ensure("notification.mark_read", note)
    return note


@notifications_bp.post("/<int:note_id>/read")
@login_required
def mark_read(note_id: int):
    with transaction():
        operations.mark_read(_load(note_id))
    return redirect(url_for("notifications.index"))


@notifications_bp.post("/read-all")
@login_required
def mark_all_read():
    ensure("notifications.read")
    with transaction():
        count = operations.mark_all_read(current_user)
    flash(_("%(num)d notifications marked as read.", num=count), "success")
    return redirect(url_for("notifications.index"))
