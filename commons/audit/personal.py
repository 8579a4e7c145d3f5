"""Personal data kept out of the hashed audit payloads, so a person can be erased.

An event's payload holds, in place of a personal value, a marker
``{"erasable": ref, "digest": HMAC-SHA256(salt, value)}``; the value and its salt are rows of
``audit_personal_values`` (a table the chain does not hash). Histories and sentences show the
value while it exists and "erased" after :func:`erase_subject` empties value and salt: the
payload is unchanged, so every hash and link of the chain still verifies. While the value
exists anyone holding it can check it against the digest (:func:`digest`); after erasure the
salt is gone and a guessed value can no longer be tested.

Events written before this was in place keep their payloads as they are: the chain is
immutable, and rewriting a payload would break every hash after it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from commons.audit.models import AuditPersonalValue
from commons.db import utcnow
from commons.extensions import db

# Payload keys whose value is personal data of the event's subject.
PERSONAL_KEYS = frozenset(
    {"full_name", "typed_name", "email", "tax_code", "fiscal_number", "phone", "name_of_person"}
)
# Free texts a citizen writes (an answer to an integration request): theirs to erase.
CITIZEN_TEXT_KEYS = frozenset({"answer"})
CITIZEN_ROLES = frozenset({"citizen", "representative", "proponent"})
MARKER = "erasable"
ERASED = _l("erased")

VALUES = AuditPersonalValue.__table__


def digest(salt: str, value: str) -> str:
    """The salted digest an event's payload holds for ``value``."""
    return hmac.new(bytes.fromhex(salt), value.encode(), hashlib.sha256).hexdigest()


def is_marker(value) -> bool:
    return isinstance(value, dict) and set(value) == {MARKER, "digest"}


def protect(
    connection, payload: dict, *, subject_id: int | None, actor_role: str | None, now
) -> dict:
    """``payload`` with each personal value replaced by its marker; the values are written to
    ``audit_personal_values`` on ``connection`` (the event's transaction)."""
    if not isinstance(payload, dict):  # a payload that is not an object holds no named values
        return payload
    keys = PERSONAL_KEYS | (CITIZEN_TEXT_KEYS if actor_role in CITIZEN_ROLES else frozenset())
    found = {
        k: v for k, v in payload.items() if k in keys and isinstance(v, str) and v and v.strip()
    }
    if not found:
        return payload
    subject = payload.get("user_id") if isinstance(payload.get("user_id"), int) else subject_id
    protected, rows = dict(payload), []
    for key, value in found.items():
        ref, salt = secrets.token_hex(16), secrets.token_hex(32)
        protected[key] = {MARKER: ref, "digest": digest(salt, value)}
        rows.append(
            {
                "ref": ref,
                "subject_id": subject,
                "field": key,
                "salt": salt,
                "value": value,
                "created_at": now,
                "erased_at": None,
            }
        )
    connection.execute(insert(VALUES), rows)
    return protected


def refs_in(payloads: Iterable[dict | None]) -> set[str]:
    return {v[MARKER] for p in payloads if p for v in p.values() if is_marker(v) and v[MARKER]}


def values_for(payloads: Iterable[dict | None]) -> dict[str, str | None]:
    """ref -> the value it stands for, or None once erased (one query)."""
    refs = refs_in(payloads)
    if not refs:
        return {}
    rows = db.session.execute(select(VALUES.c.ref, VALUES.c.value).where(VALUES.c.ref.in_(refs)))
    found = dict(rows.all())
    return {ref: found.get(ref) for ref in refs}


def reveal(payload: dict | None, values: dict[str, str | None]) -> dict:
    """``payload`` as people read it: each marker replaced by its value, or "erased"."""
    if not payload:
        return {}
    shown = {}
    for key, value in payload.items():
        if is_marker(value):
            found = values.get(value[MARKER])
            shown[key] = found if found is not None else str(ERASED)
        else:
            shown[key] = value
    return shown


def revealed(events: list) -> dict[int, dict]:
    """seq -> the event's payload as people read it, for a list of events."""
    values = values_for(e.payload for e in events)
    return {e.seq: reveal(e.payload, values) for e in events}


def value_rows(refs: set[str], chunk: int = 500):
    """(ref, field, value, salt, erased_at) of ``refs``, by ref: the export's personal values."""
    ordered = sorted(refs)
    for start in range(0, len(ordered), chunk):
        rows = db.session.execute(
            select(VALUES.c.ref, VALUES.c.field, VALUES.c.value, VALUES.c.salt, VALUES.c.erased_at)
            .where(VALUES.c.ref.in_(ordered[start : start + chunk]))
            .order_by(VALUES.c.ref)
        )
        for ref, field, value, salt, erased_at in rows:
            yield ref, field, value, salt, erased_at.isoformat() if erased_at else None


def erase_subject(user_id: int) -> int:
    """Empty the value and salt of every personal value of ``user_id``; how many were erased.

    The events keep their markers: the chain's hashes are unchanged."""
    result = db.session.execute(
        update(VALUES)
        .where(VALUES.c.subject_id == user_id, VALUES.c.erased_at.is_(None))
        .values(value=None, salt=None, erased_at=utcnow())
    )
    return result.rowcount or 0


def subject_values(user_id: int) -> list[dict]:
    """The personal values the audit log holds of ``user_id`` (for their data download)."""
    rows = db.session.execute(
        select(VALUES.c.ref, VALUES.c.field, VALUES.c.value, VALUES.c.created_at)
        .where(VALUES.c.subject_id == user_id, VALUES.c.erased_at.is_(None))
        .order_by(VALUES.c.created_at)
    )
    return [
        {"ref": r.ref, "field": r.field, "value": r.value, "created_at": r.created_at.isoformat()}
        for r in rows
    ]
