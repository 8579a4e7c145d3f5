"""Data and helpers for the browser journeys.

A journey that does not start with the application puts its case in its starting state by
the same set-up the engine tests use (tests/workflows/scenario.py); from there every step is
taken in the browser. The helpers act on the case page as a person would.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from datetime import date

from commons.extensions import db
from commons.proposals.models import Proposal
from tests.workflows.scenario import Cast, proposal_in


@dataclass
class Case:
    id: int
    title: str
    representative: str
    representative_name: str
    officer: str
    legal: str
    admin: str
    auditor: str


def make_case(live, state: str, *, pact_type: str = "ordinary") -> Case:
    with live.data():
        cast = Cast()
        p = proposal_in(state, cast, pact_type=pact_type)
        # Dates in the future of the real clock the served app runs on.
        p.start_date, p.end_date = date(2027, 1, 1), date(2028, 12, 31)
        db.session.commit()
        case = Case(
            p.id,
            p.title,
            cast.representative.email,
            cast.representative.full_name,
            cast.officer.email,
            cast.legal.email,
            cast.admin.email,
            cast.auditor.email,
        )
        db.session.remove()
    return case


def status_of(live, proposal_id: int) -> str:
    """The proposal's state, read from the served database."""
    with live.data():
        status = db.session.get(Proposal, proposal_id).status
        db.session.remove()
    return status


def open_case(page, live, proposal_id: int) -> None:
    page.goto(f"{live.url}/proposals/{proposal_id}")
    page.wait_for_load_state()


def act(page, trigger: str, label: str, fields: dict | None = None, action: str | None = None):
    """Fill and send the case page's form of one action (``fields``: value, or True to tick)."""
    form = page.locator(f'form[action$="{action or f"/actions/{trigger}"}"]')
    for field, value in (fields or {}).items():
        target = form.locator(f"#{trigger}-{field}")
        if value is True:
            target.check()
        else:
            target.fill(value)
    form.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def png(padding: int = 0) -> bytes:
    """A real 1x1 PNG image; ``padding`` bytes of an ancillary chunk make it as large as needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x1f\x51\x30")
    extra = chunk(b"teXt", b"Comment\x00" + b"x" * padding) if padding else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + extra
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )
