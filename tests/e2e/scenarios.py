"""Data for the browser journeys, created directly in the served database.

The proponents' application pages are not built yet, so a case is put in its starting state
by the same set-up the engine tests use (tests/workflows/scenario.py); from there every step
is taken in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from commons.extensions import db
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
        )
        db.session.remove()
    return case
