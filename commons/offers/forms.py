"""Forms of the offers and needs pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from commons import limits
from commons.forms import strip
from commons.offers.labels import CATEGORY_LABELS, CLOSED_LABELS, KIND_LABELS

CITY = "city"  # the "for whom" choice of office staff posting for the city


class PostForm(FlaskForm):
    """A new offer or need; the commons or pact it is about comes from the page it was
    started from (hidden), the group it is for is chosen."""

    kind = RadioField(
        _l("Is it an offer or a need?"),
        choices=[
            SelectChoice("need", _l("A need: we are looking for something")),
            SelectChoice("offer", _l("An offer: we can give something")),
        ],
        validators=[DataRequired(_l("Say whether you offer something or need something."))],
    )
    category = SelectField(
        _l("What it is about"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(value, label) for value, label in CATEGORY_LABELS.items()],
        validators=[DataRequired(_l("Choose what it is about."))],
    )
    title = StringField(
        _l("Title"),
        filters=[strip],
        description=_l("A short line, e.g. “Six volunteers for the spring clean-up”."),
        validators=[DataRequired(_l("Give it a short title.")), limits.MaxChars(limits.NAME)],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        description=_l("What is offered or needed, what for, and anything people should know."),
        validators=[
            DataRequired(_l("Say what is offered or needed, and for what.")),
            limits.MaxChars(limits.PARAGRAPH),
        ],
    )
    quantity = StringField(
        _l("How much or how many (optional)"),
        filters=[strip],
        description=_l("E.g. “6 people”, “20 bags of soil”, “a room for 30”."),
        validators=[limits.MaxChars(limits.SHORT)],
    )
    timing = StringField(
        _l("When (optional)"),
        filters=[strip],
        description=_l("E.g. “Saturday mornings in March”, “by 15 May”."),
        validators=[limits.MaxChars(limits.NAME)],
    )
    on_behalf = SelectField(
        _l("Posted for"),
        description=_l("The group you post it for: its members can follow it."),
        validators=[DataRequired(_l("Choose whom you post it for."))],
        # A group not offered is refused by the view (403), not as a typing mistake.
        validate_choice=False,
    )
    commons_id = HiddenField()
    pact_id = HiddenField()


def post_form(groups, *, staff: bool, **kwargs) -> PostForm:
    """The form with the poster's choices: their groups and, for office staff, the city."""
    form = PostForm(**kwargs)
    options = [SelectChoice(str(g.id), g.name) for g in groups]
    if staff:
        options.insert(0, SelectChoice(CITY, _l("The city (the office)")))
    form.on_behalf.choices = options
    return form


class HelpForm(FlaskForm):
    """ "I can help": a short message and, optionally, a phone number."""

    message = TextAreaField(
        _l("How you can help"),
        filters=[strip],
        description=_l(
            "A few words for whoever posted it. They also see your name and your account's "
            "e-mail address, and nobody else does."
        ),
        validators=[
            DataRequired(_l("Say briefly how you can help.")),
            limits.MaxChars(limits.REASON),
        ],
    )
    phone = TelField(
        _l("Phone (optional)"),
        filters=[strip],
        description=_l("If you would rather be called; e.g. +39 333 123 4567."),
        validators=[limits.MaxChars(limits.PHONE)],
    )


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Why it is not published"),
        filters=[strip],
        description=_l("The author reads it."),
        validators=[
            DataRequired(_l("Say why the post is not published: its author reads it.")),
            limits.MaxChars(limits.REASON),
        ],
    )


class CloseForm(FlaskForm):
    closed_as = RadioField(
        _l("How it ends"),
        choices=[SelectChoice(value, label) for value, label in CLOSED_LABELS.items()],
        validators=[DataRequired(_l("Say whether it was fulfilled or is withdrawn."))],
    )


class ButtonForm(FlaskForm):
    """A button (CSRF only): publishing a post."""


def filter_choices() -> dict:
    """The public list's filters, as (value, label) pairs."""
    return {"kinds": KIND_LABELS, "categories": CATEGORY_LABELS}
