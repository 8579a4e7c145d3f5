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
    "act_number": FieldSpec(_l("Act number"), "text", _l("e.g. DD 123/2026")),
    "act_date": FieldSpec(_l("Act date"), "date"),
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
    "participants": FieldSpec(_l("Participants"), "number"),
    "volunteer_hours": FieldSpec(_l("Volunteer hours"), "number"),
    "comment": FieldSpec(_l("Comment (optional)"), "textarea"),
}


def field_spec(name: str) -> FieldSpec:
    return FIELDS.get(name, FieldSpec(name.replace("_", " ")))
