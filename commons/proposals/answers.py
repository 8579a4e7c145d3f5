"""The answers of an application, in the words of the "Check your answers" page.

The applicant's check page and the office's case page show the same rows from here (through
one partial, ``templates/apply/_answers.html``), so what the office reads is exactly what the
applicant confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

import workflows
from commons.payloads import readable_moment
from commons.proposals.forms import attachment_kinds, support_labels
from commons.proposals.labels import pact_type_label


@dataclass(frozen=True)
class Answer:
    label: str
    step: str  # the application step where it is changed
    value: str


def application_files(proposal) -> list:
    """The files attached to the application itself (not to later steps), oldest first."""
    from commons.uploads.operations import attachments_for

    kinds = attachment_kinds()
    return [a for a in attachments_for(proposal) if a.purpose in kinds]


def application_answers(proposal, files: list | None = None) -> list[Answer]:
    """Every answer of the application, one row per step, as the applicant checks them."""
    from commons.groups.operations import kind_labels

    group = proposal.group
    kinds = kind_labels()
    places = [f"{c.name}, {c.address}" for c in proposal.commons]
    if proposal.new_place_address:
        where = proposal.new_place_address
        if proposal.new_place_latitude is not None:
            where += f" ({proposal.new_place_latitude}, {proposal.new_place_longitude})"
        places.append(_("New place") + ": " + where)
    supports = support_labels()
    asked = ", ".join(str(supports.get(s, s)) for s in proposal.support_requested or ())
    support = asked or _("None requested")
    if proposal.support_notes:
        support += "\n" + proposal.support_notes
    if proposal.requested_duration_months:
        duration = _("%(n)d months", n=proposal.requested_duration_months)
    else:
        duration = _("Not given")
    if proposal.start_date:
        duration += " · " + _("from") + " " + readable_moment(proposal.start_date)
    document_kinds = attachment_kinds()
    if files is None:
        files = application_files(proposal)
    rows = [
        Answer(_("Title"), "start", proposal.title),
        Answer(
            _("Proponent"),
            "start",
            f"{group.name} ({kinds.get(group.kind, group.kind)})",
        ),
        Answer(_("Commons"), "places", "\n".join(places) or _("Not given")),
        Answer(_("Objectives"), "objectives", proposal.objectives or _("Not given")),
        Answer(_("Activities"), "activities", proposal.activities or _("Not given")),
        Answer(_("Support from the city"), "support", support),
        Answer(_("Duration"), "duration", duration),
    ]
    if len(workflows.get_profile(proposal.profile).pact_types) > 1:
        rows.append(Answer(_("Kind of pact"), "duration", pact_type_label(proposal.pact_type)))
    listed = "\n".join(
        f"{document_kinds.get(a.purpose, a.purpose)}: {a.original_name}" for a in files
    )
    rows.append(Answer(_("Attachments"), "attachments", listed or _("None")))
    return rows
