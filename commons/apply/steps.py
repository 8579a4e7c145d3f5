"""The steps of the online application, in order, and where a draft resumes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from commons.proposals.models import Proposal

STEPS = (
    ("start", _l("Proponent and title")),
    ("places", _l("The commons")),
    ("objectives", _l("Objectives")),
    ("activities", _l("Activities")),
    ("support", _l("Support from the city")),
    ("duration", _l("Duration")),
    ("attachments", _l("Attachments")),
    ("check", _l("Check your answers")),
)
STEP_NAMES = [name for name, _label in STEPS]


def first_missing_step(proposal: Proposal) -> str:
    """Where to resume a draft: the first step whose required answer is missing."""
    if not proposal.commons and not proposal.new_place_address:
        return "places"
    if not (proposal.objectives or "").strip():
        return "objectives"
    if not (proposal.activities or "").strip():
        return "activities"
    if not proposal.requested_duration_months and not (proposal.start_date and proposal.end_date):
        return "duration"
    return "check"


def step_after(step: str, where: str) -> str:
    """The step to show after saving ``step``: the one before it ("back") or after it."""
    index = STEP_NAMES.index(step)
    if where == "back":
        return STEP_NAMES[max(index - 1, 0)]
    return STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)]
