"""The privacy notice (publish, read, acknowledge) and requests for erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from commons.audit.operations import append_event
from commons.auth.models import User
from commons.config import LANGUAGES
from commons.db import utcnow
from commons.errors import DomainError
from commons.extensions import db
from commons.privacy.models import (
    ErasureRequest,
    ErasureStatus,
    PrivacyAcknowledgement,
    PrivacyNotice,
)

DEFAULTS = Path(__file__).parent / "defaults"


@dataclass(frozen=True)
class Notice:
    """The text of one version of the notice in one language; version 0 is the shipped text."""

    version: int
    language: str
    body: str
    published_at: datetime | None


def shipped_text(language: str) -> str:
    """The default notice shipped with the registry, with the city's name and office."""
    path = DEFAULTS / f"{language}.txt"
    if not path.exists():
        path = DEFAULTS / "en.txt"
    return path.read_text(encoding="utf-8").format(
        city=current_app.config["CITY_NAME"], office=current_app.config["CITY_OFFICE"]
    )


def current_version() -> int:
    """The number of the notice in force (0 while only the shipped text exists)."""
    return db.session.scalar(select(func.max(PrivacyNotice.version))) or 0


def notice(language: str, version: int | None = None) -> Notice:
    """The notice in ``language`` (the current version unless ``version`` is given); a version
    without that language falls back to English, then to any language it has."""
    version = current_version() if version is None else version
    if version == 0:
        return Notice(0, language, shipped_text(language), None)
    rows = {
        n.language: n
        for n in db.session.scalars(select(PrivacyNotice).where(PrivacyNotice.version == version))
    }
    if not rows:
        raise DomainError(_("There is no version %(n)d of the privacy notice.", n=version))
    row = rows.get(language) or rows.get("en") or next(iter(rows.values()))
    return Notice(version, row.language, row.body, row.published_at)


def versions() -> list[tuple[int, datetime]]:
    """Every published version and its date, newest first."""
    return db.session.execute(
        select(PrivacyNotice.version, func.min(PrivacyNotice.published_at))
        .group_by(PrivacyNotice.version)
        .order_by(PrivacyNotice.version.desc())
    ).all()


def publish(texts: dict[str, str], *, actor: User) -> int:
    """Publish a new version of the notice, one text per language; returns its number.

    Every language the registry speaks needs its text, so no one reads an older version's."""
    missing = [name for code, name in LANGUAGES.items() if not (texts.get(code) or "").strip()]
    if missing:
        raise DomainError(
            _("Write the notice in every language: %(missing)s.", missing=", ".join(missing))
        )
    number = current_version() + 1
    now = utcnow()
    for code in LANGUAGES:
        db.session.add(
            PrivacyNotice(
                version=number,
                language=code,
                body=texts[code].strip(),
                published_at=now,
                published_by_id=actor.id,
            )
        )
    db.session.flush()
    append_event(
        "privacy_notice_published",
        actor=actor,
        actor_role="admin",
        payload={"version": number, "languages": sorted(LANGUAGES)},
        public=True,
        occurred_at=now,
    )
    return number


def last_acknowledged(user: User) -> int | None:
    """The latest version of the notice ``user`` acknowledged, or None."""
    return db.session.scalar(
        select(func.max(PrivacyAcknowledgement.version)).where(
            PrivacyAcknowledgement.user_id == user.id
        )
    )


def needs_acknowledgement(user: User) -> bool:
    """True when ``user`` has not acknowledged the notice in force (or it changed since)."""
    seen = last_acknowledged(user)
    return seen is None or seen < current_version()


def refuse_changed_notice(version_read) -> None:
    """Refuse an acknowledgement of a version that is no longer in force (a new one was
    published while the page was open): the page shows the new one to read."""
    try:
        read = int(version_read)
    except (TypeError, ValueError):
        read = None
    if read != current_version():
        raise DomainError(
            _("The privacy notice changed while you were reading it: read the new one."),
            field="privacy",
        )


def acknowledge(user: User, *, context: str) -> PrivacyAcknowledgement:
    """Record that ``user`` read and acknowledged the notice in force."""
    current = current_version()
    ack = PrivacyAcknowledgement(
        user_id=user.id, version=current, context=context, acknowledged_at=utcnow()
    )
    db.session.add(ack)
    db.session.flush()
    return ack


def acknowledge_from_form(user: User, ticked: bool, version_read, *, context: str) -> None:
    """The tick under the notice on a form: required, and for the version in force."""
    if not ticked:
        raise DomainError(
            _("Tick the box to say you have read the privacy notice."), field="privacy"
        )
    refuse_changed_notice(version_read)
    acknowledge(user, context=context)


def acknowledgements(user: User) -> list[PrivacyAcknowledgement]:
    return db.session.scalars(
        select(PrivacyAcknowledgement)
        .where(PrivacyAcknowledgement.user_id == user.id)
        .order_by(PrivacyAcknowledgement.acknowledged_at)
    ).all()


# --- erasure requests ---------------------------------------------------------------------------


def pending_request(user: User) -> ErasureRequest | None:
    return db.session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.user_id == user.id,
            ErasureRequest.status == ErasureStatus.PENDING.value,
        )
    )


def request_erasure(user: User, *, password: str) -> ErasureRequest:
    """The person asks to be erased; their password confirms it is them. One request at a time."""
    from commons.auth.passwords import verify_password

    if not verify_password(user.password_hash, password or ""):
        raise DomainError(_("The password is not right."), field="password")
    if pending_request(user) is not None:
        raise DomainError(_("You asked for erasure already; the city is handling it."))
    request = ErasureRequest(user_id=user.id, requested_at=utcnow())
    db.session.add(request)
    db.session.flush()
    append_event(
        "erasure_requested",
        actor=user,
        actor_role="citizen",
        payload={"user_id": user.id, "erasure_request_id": request.id},
        public=False,
    )
    return request


def pending_requests() -> list[ErasureRequest]:
    return db.session.scalars(
        select(ErasureRequest).order_by(ErasureRequest.status, ErasureRequest.requested_at)
    ).all()
