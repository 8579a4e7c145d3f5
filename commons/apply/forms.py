"""The forms of the online application's steps, and how the view fills their choices."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from commons import limits
from commons.forms import VersionedForm, choices, strip
from commons.groups import operations as group_ops
from commons.privacy.forms import ACK_LABEL
from commons.proposals.forms import MultiCheckboxField, attachment_kinds
from commons.proposals.models import Proposal


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
    # Shown (and required by the view) while the person has not acknowledged the notice in
    # force: before the first application, and again after a new version is published.
    privacy = BooleanField(ACK_LABEL)
    notice_version = HiddenField()


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


def start_form(representative, proposal: Proposal | None = None, *, shown: bool, **kwargs):
    """Step 1's form: the groups ``representative`` may propose for, or a new one.

    ``shown``: the page is shown rather than sent, so it starts from the draft's answers.
    """
    form = StartForm(**kwargs)
    groups = group_ops.represented_by(representative)
    form.group.choices = choices(
        [(g.id, g.name) for g in groups] + [("new", _("A new group (give its name below)"))]
    )
    form.new_group_kind.choices = choices(group_ops.kind_labels().items())
    if shown:
        if proposal is not None:
            form.title.data, form.group.data = proposal.title, str(proposal.group_id)
            form.start_from(proposal)
        elif not groups:
            form.group.data = "new"
    return form


def attachment_form(max_upload_mb: int, **kwargs) -> AttachmentForm:
    """Step 7's form: which kind of file, and the size limit in its help."""
    form = AttachmentForm(**kwargs)
    form.purpose.choices = choices(attachment_kinds().items())
    form.file.description = _("A PDF, JPEG or PNG file of at most %(mb)d MB.", mb=max_upload_mb)
    return form
