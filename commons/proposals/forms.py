"""What each piece of lifecycle data looks like on a form.

The engine (workflows/guards.py REQUIREMENTS and OPTIONAL) validates the values; this says how
to ask for them: label, input type and help.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class FieldSpec:
    label: object
    kind: str = "text"  # text, textarea, date, datetime, password, checkbox, number, select
    hint: object = ""
    choices: tuple = ()


FIELDS: dict[str, FieldSpec] = {
    "message": FieldSpec(_l("What the proponents must add or clarify"), "textarea"),
    "answer": FieldSpec(_l("Your answer to the office"), "textarea"),
    "reasons": FieldSpec(_l("Reasons"), "textarea", _l("They are recorded in the history.")),
    "report_text": FieldSpec(_l("What was done in this period"), "textarea"),
    "act_number": FieldSpec(_l("Decision act number"), "text", _l("e.g. DD 123/2026")),
    "act_date": FieldSpec(_l("Decision act date"), "date"),
    "deliberation_number": FieldSpec(_l("Deliberation number"), "text", _l("e.g. DG 45/2026")),
    "deliberation_date": FieldSpec(_l("Deliberation date"), "date"),
    "new_end_date": FieldSpec(_l("New end date"), "date"),
    "full_name": FieldSpec(
        _l("Type your full name"), "text", _l("Exactly as in your account; it is your signature.")
    ),
    "consent": FieldSpec(
        _l(
            "I have read the pact and sign it, approving the onerous clauses (Civil Code art. 1341)"
        ),
        "checkbox",
    ),
    "password": FieldSpec(
        _l("Your password, again"), "password", _l("Signing needs a fresh login.")
    ),
    "grounds": FieldSpec(
        _l("Grounds"),
        "select",
        "",
        (
            ("breach", _l("Breach of the pact")),
            ("public_interest", _l("Public interest (at least 48 hours' notice)")),
            ("safety", _l("Safety")),
        ),
    ),
    "effective_from": FieldSpec(
        _l("Effective from"), "datetime", _l("Needed for a suspension for public interest.")
    ),
    "final": FieldSpec(_l("This is the final report (needed before renewal)"), "checkbox"),
    "publish_photos": FieldSpec(
        _l("Publish the photos of this report on the pact's public results page"), "checkbox"
    ),
    "participants": FieldSpec(_l("Participants"), "number"),
    "volunteer_hours": FieldSpec(_l("Volunteer hours"), "number"),
    "events_held": FieldSpec(_l("Events held"), "number"),
    # The values of a report's indicators (commons/impact/), checked against their framework.
    "impact": FieldSpec(_l("Indicators")),
    "comment": FieldSpec(_l("Comment"), "textarea"),
    # Values the lifecycle records by itself: only their names, for the case page's history.
    "reply_due": FieldSpec(_l("Reply due by")),
    "notice_ends": FieldSpec(_l("Public notice ends")),
    "notice_closed": FieldSpec(_l("Public notice closed")),
    "deliberation_due": FieldSpec(_l("Council deliberation due by")),
    "effective_on": FieldSpec(_l("Takes effect on")),
    "previous_end_date": FieldSpec(_l("Previous end date")),
    "term_start": FieldSpec(_l("Agreed start date")),
    "term_end": FieldSpec(_l("Agreed end date")),
    "term_months": FieldSpec(_l("Agreed duration in months")),
    "held_on": FieldSpec(_l("Date of the meeting")),
    "with_minutes": FieldSpec(_l("With minutes")),
}


def field_spec(name: str) -> FieldSpec:
    return FIELDS.get(name, FieldSpec(name.replace("_", " ")))


def field_label(name: str) -> str:
    """The label of a piece of lifecycle data in the reader's language (for refusals)."""
    return str(field_spec(name).label)


# --- what the online application (commons/apply/) and the pact pages share ------------------

from wtforms import SelectMultipleField  # noqa: E402
from wtforms.widgets import CheckboxInput, ListWidget  # noqa: E402


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def support_labels() -> dict:
    return {
        "materials": _l("Materials"),
        "tools": _l("Tools"),
        "training": _l("Training"),
        "insurance": _l("Insurance"),
        "fee_exemption": _l("Exemption from fees"),
        "use_of_spaces": _l("Use of spaces"),
    }


def attachment_kinds() -> dict:
    return {
        "statute": _l("Statute or founding act"),
        "identity": _l("Identity document of the representative"),
        "photo": _l("Photo of the place"),
        "plan": _l("Plan or drawing"),
    }


def attachment_label(purpose: str):
    """What an attached file is, in words; other features' purposes fall back to the key."""
    labels = {
        **attachment_kinds(),
        "integration": _l("Sent with the answer to an integration request"),
        "report_photo": _l("Photo of a monitoring report"),
        "minutes": _l("Minutes of a co-design meeting"),
    }
    return labels.get(purpose, purpose.replace("_", " "))
