"""Where a pact stands today: in force, signed but not started yet, or planned.

A pact is *in force* when its state is one of its profile's ``in_force`` states and its term
has begun. A renewal signed before the old pact ends is *signed, starts on* its first day
until then; a renewal still being designed or signed is *planned*. Every page that says
whether a pact is in force (the public pact page, the commons page, the register, the case
page, the home page count) asks here, so that they all say the same thing, and one commons
never shows two pacts in force on the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_

import workflows
from commons.formatting import city_day
from commons.payloads import readable_moment
from commons.proposals.models import Proposal


def city_today() -> date:
    """Today's date in the city's time zone."""
    return city_day(datetime.now(UTC))


def in_force_states() -> frozenset[str]:
    """The states in which a signed pact may be in force, over every profile."""
    states: set[str] = set()
    for name in workflows.profile_names():
        states |= workflows.get_profile(name).in_force
    return frozenset(states)


def in_force_on(day: date) -> ColumnElement[bool]:
    """SQL: the proposal is a pact in force on ``day`` (its term has begun)."""
    return and_(
        Proposal.status.in_(sorted(in_force_states())),
        or_(Proposal.start_date.is_(None), Proposal.start_date <= day),
    )


@dataclass(frozen=True)
class Standing:
    """``kind`` is "in_force", "starts_on", "planned" or "" (none of these)."""

    kind: str
    starts_on: date | None = None

    def __bool__(self) -> bool:
        return bool(self.kind)

    @property
    def in_force(self) -> bool:
        return self.kind == "in_force"

    @property
    def label(self) -> str:
        """A short phrase for a list or a badge, in the reader's language."""
        if self.kind == "in_force":
            return _("in force")
        if self.kind == "starts_on":
            return _("signed, starts on %(date)s", date=readable_moment(self.starts_on))
        if self.kind == "planned":
            return _("planned")
        return ""

    @property
    def sentence(self) -> str:
        """A full sentence for the page of the pact."""
        if self.kind == "in_force":
            return _("This pact is in force.")
        if self.kind == "starts_on":
            return _(
                "This pact is signed and starts on %(date)s.",
                date=readable_moment(self.starts_on),
            )
        if self.kind == "planned":
            return _(
                "This pact is planned: it renews a pact in force and is being prepared; it is "
                "not in force yet."
            )
        return ""


def standing(proposal: Proposal, today: date | None = None) -> Standing:
    """Where ``proposal`` stands on ``today`` (the city's today by default)."""
    today = today or city_today()
    profile = workflows.get_profile(proposal.profile)
    if proposal.status in profile.in_force:
        if proposal.start_date is not None and proposal.start_date > today:
            return Standing("starts_on", proposal.start_date)
        return Standing("in_force")
    if proposal.predecessor_id and proposal.status not in profile.terminal:
        return Standing("planned")
    return Standing("")
