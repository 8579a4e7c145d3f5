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
    "participants": FieldSpec(_l("Participants"), "number"),
    "volunteer_hours": FieldSpec(_l("Volunteer hours"), "number"),
    "events_held": FieldSpec(_l("Events held"), "number"),
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


# --- the forms of the online application (commons/proposals/application.py) -----------------

from flask_wtf import FlaskForm  # noqa: E402
from flask_wtf.file import FileField  # noqa: E402
from wtforms import (  # noqa: E402
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional  # noqa: E402
from wtforms.widgets import CheckboxInput, ListWidget  # noqa: E402

from commons import limits  # noqa: E402
from commons.forms import VersionedForm, strip  # noqa: E402


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


class StartForm(VersionedForm, FlaskForm):
    title = StringField(
        _l("Title of the proposal"),
        filters=[strip],
        validators=[DataRequired(_l("Enter a title.")), limits.MaxChars(limits.NAME)],
        description=_l("A few words anyone can understand, e.g. 'Care of the Via Roma garden'."),
    )
    group = SelectField(_l("Who proposes"), validators=[DataRequired(_l("Choose who proposes."))])
    new_group_name = StringField(
        _l("Name of the new group"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.NAME)],
        description=_l("Only if you chose a new group above."),
    )
    new_group_kind = SelectField(_l("Kind of the new group"), validators=[Optional()])


class PlacesForm(VersionedForm, FlaskForm):
    new_place_address = StringField(
        _l("Address of a new place (optional)"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.LINE)],
        description=_l("If the place you want to care for is not in the register."),
    )
    new_place_latitude = DecimalField(
        _l("Latitude (optional)"),
        places=None,
        validators=[
            Optional(),
            NumberRange(-90, 90, _l("A latitude is between -90 and 90.")),
        ],
        description=_l("e.g. 44.4949"),
    )
    new_place_longitude = DecimalField(
        _l("Longitude (optional)"),
        places=None,
        validators=[
            Optional(),
            NumberRange(-180, 180, _l("A longitude is between -180 and 180.")),
        ],
        description=_l("e.g. 11.3426"),
    )


class ObjectivesForm(VersionedForm, FlaskForm):
    objectives = TextAreaField(
        _l("Objectives"),
        validators=[limits.MaxChars(limits.LONG_TEXT)],
        description=_l("What you want to achieve for the place and for the people who use it."),
    )


class ActivitiesForm(VersionedForm, FlaskForm):
    activities = TextAreaField(
        _l("Activities"),
        validators=[limits.MaxChars(limits.LONG_TEXT)],
        description=_l("What you will do, how often, and who takes part."),
    )


class SupportForm(VersionedForm, FlaskForm):
    support_requested = MultiCheckboxField(_l("Support you ask of the city"))
    support_notes = TextAreaField(
        _l("Details of the support (optional)"),
        validators=[limits.MaxChars(limits.PARAGRAPH)],
        description=_l("e.g. which tools, how many people to train."),
    )


class DurationForm(VersionedForm, FlaskForm):
    requested_duration_months = IntegerField(
        _l("Duration in months"),
        validators=[Optional(), NumberRange(min=1, message=_l("At least one month."))],
    )
    start_date = DateField(
        _l("Preferred start date (optional)"),
        validators=[Optional()],
        description=_l("As YYYY-MM-DD. The pact starts when it is signed, not before."),
    )
    pact_type = SelectField(
        _l("Kind of pact"),
        validators=[Optional()],
        description=_l(
            "Ordinary: small, repeatable care. Complex: regeneration or continuing management "
            "of a valuable place; it needs co-design meetings and a council deliberation."
        ),
    )


class AttachmentForm(FlaskForm):
    purpose = SelectField(_l("What the file is"))
    # Its description (the size limit) is set by the view from the settings.
    file = FileField(_l("File"))
