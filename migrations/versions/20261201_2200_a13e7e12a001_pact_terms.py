"""Pact versions hold their terms as data: content["terms"] on the versions still in co-design.

A pact version now keeps its terms (start date or "from the last signature", end date or
duration, the commons covered and the part of each, the parties, the city's support, the report
interval) in content["terms"], covered by its content_hash (commons/documents/terms.py).

Upgrade: every version that is NOT frozen and has no terms gets them, filled from what is known:
its proposal's application (requested start, end or duration, commons, group and representative,
support asked and its notes) and the report interval of its regulation profile; its content_hash
is computed again. The prose is left as it was (it was written from the same application); the
next save in the editor marks the articles that print the terms as generated and writes them
from the terms.

Frozen (approved or signed) versions are left untouched: their hash is bound to the signatures
and to the PDFs issued, so their content cannot change. For them the proposal's start_date and
end_date columns remain the record of the term, and the code reads a version without terms
through the application's data (terms_of falls back to it).

Downgrade: removes content["terms"] and the "generated" marks from the versions that are not
frozen and computes their hash again; frozen versions approved with terms keep them (their hash
is bound to signatures), and older code ignores the key.

The hashing and the profile reading are written out here, not imported from the application, so
that this revision keeps doing what it did when the code moves on.

Revision ID: a13e7e12a001
Revises: d15c0a7e0738
Create Date: 2026-12-01 22:00:00+00:00
"""

import hashlib
import json
import tomllib
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "a13e7e12a001"
down_revision: str | None = "d15c0a7e0738"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROFILES = Path(__file__).resolve().parents[2] / "workflows" / "profiles"
SUPPORT_ORDER = ("materials", "tools", "training", "insurance", "fee_exemption", "use_of_spaces")

versions = sa.table(
    "pact_versions",
    sa.column("id", sa.Integer),
    sa.column("proposal_id", sa.Integer),
    sa.column("content", sa.JSON),
    sa.column("content_hash", sa.String),
    sa.column("frozen_at", sa.DateTime),
)


def _hash(content: dict) -> str:
    raw = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def _report_interval(profile: str, cache: dict) -> int:
    if profile not in cache:
        try:
            data = tomllib.loads((PROFILES / f"{profile}.toml").read_text(encoding="utf-8"))
            cache[profile] = int(data["clocks"]["report_interval_months"])
        except (OSError, KeyError, ValueError, TypeError, tomllib.TOMLDecodeError):
            cache[profile] = 6
    return cache[profile]


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)[:10]


def _terms(conn, proposal_id: int, cache: dict) -> dict | None:
    row = conn.execute(
        sa.text(
            "SELECT p.start_date, p.end_date, p.requested_duration_months, p.support_requested, "
            "p.support_notes, p.profile, g.id, g.name, u.id, u.full_name "
            "FROM proposals AS p JOIN proponent_groups AS g ON g.id = p.group_id "
            "JOIN users AS u ON u.id = p.representative_id WHERE p.id = :id"
        ),
        {"id": proposal_id},
    ).first()
    if row is None:
        return None
    start, end, months, support, notes, profile, group_id, group, rep_id, rep = row
    start, end = _iso(start), _iso(end)
    if not (start and end):
        end = None
    if end is not None:
        months = None
    if isinstance(support, str):
        support = json.loads(support or "[]")
    forms = []
    for item in support or []:
        if item and item not in forms:
            forms.append(item)
    forms.sort(key=lambda s: SUPPORT_ORDER.index(s) if s in SUPPORT_ORDER else 99)
    commons = conn.execute(
        sa.text(
            "SELECT c.id, c.name FROM commons AS c JOIN proposal_commons AS pc "
            "ON pc.commons_id = c.id WHERE pc.proposal_id = :id ORDER BY c.name, c.id"
        ),
        {"id": proposal_id},
    ).all()
    return {
        "start_date": start,
        "end_date": end,
        "duration_months": months,
        "commons": [{"id": cid, "name": name, "part": ""} for cid, name in commons],
        "parties": {
            "group": {"id": group_id, "name": group},
            "representative": {"id": rep_id, "name": rep},
        },
        "support": {"forms": forms, "notes": (notes or "").strip(), "amount": None},
        "report_interval_months": _report_interval(profile or "labsus", cache),
    }


def _open_versions(conn):
    return conn.execute(
        sa.select(versions.c.id, versions.c.proposal_id, versions.c.content).where(
            versions.c.frozen_at.is_(None)
        )
    ).all()


def _save(conn, version_id: int, content: dict) -> None:
    conn.execute(
        versions.update()
        .where(versions.c.id == version_id)
        .values(content=content, content_hash=_hash(content))
    )


def upgrade() -> None:
    conn = op.get_bind()
    cache: dict = {}
    for version_id, proposal_id, content in _open_versions(conn):
        content = json.loads(content) if isinstance(content, str) else dict(content or {})
        if content.get("terms"):
            continue
        terms = _terms(conn, proposal_id, cache)
        if terms is None:
            continue
        _save(conn, version_id, {**content, "terms": terms})


def downgrade() -> None:
    conn = op.get_bind()
    for version_id, _proposal_id, content in _open_versions(conn):
        content = json.loads(content) if isinstance(content, str) else dict(content or {})
        if "terms" not in content:
            continue
        content.pop("terms")
        content["sections"] = [
            {
                **section,
                "articles": [
                    {k: v for k, v in a.items() if k != "generated"}
                    for a in section.get("articles", [])
                ],
            }
            for section in content.get("sections", [])
        ]
        _save(conn, version_id, content)
