"""Forms of the call pages; their fields follow the call (its themes, commons, questions,
grid), so each is built for one call."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from commons import limits
from commons.auth.forms import MultiCheckboxField
from commons.forms import choices, strip
from commons.groups.operations import kind_labels, represented_by

PARTNER_ROWS = 3


def apply_form(call, user, **kwargs):
    """The form that starts an application to ``call``."""

    class ApplyForm(FlaskForm):
        group = SelectField(
            _l("Lead group"),
            description=_l("The group you represent; it leads the consortium, if any."),
            validators=[DataRequired(_l("Choose the lead group."))],
        )
        new_group_name = StringField(
            _l("Name of the new group"), filters=[strip], validators=[limits.MaxChars(limits.NAME)]
        )
        new_group_kind = SelectField(_l("Kind of the new group"), validate_choice=False)
        title = StringField(
            _l("Title of the proposal"),
            filters=[strip],
            validators=[DataRequired(_l("Enter a title.")), limits.MaxChars(limits.NAME)],
        )
        theme = SelectField(_l("Theme"))
        commons = MultiCheckboxField(_l("The commons you propose to care for"), coerce=int)
        no_advantage = BooleanField(
            _l(
                "We declare that the proposal brings no direct or indirect economic advantage "
                "to the proponents."
            )
        )

    for n in range(1, PARTNER_ROWS + 1):
        setattr(
            ApplyForm,
            f"partner_{n}_name",
            StringField(
                _l("Partner group %(n)d: name", n=n),
                filters=[strip],
                validators=[Optional(), limits.MaxChars(limits.NAME)],
            ),
        )
        setattr(
            ApplyForm,
            f"partner_{n}_kind",
            SelectField(_l("Partner group %(n)d: kind", n=n), validate_choice=False),
        )
        setattr(
            ApplyForm,
            f"partner_{n}_email",
            EmailField(
                _l("Partner group %(n)d: e-mail (optional)", n=n),
                filters=[strip],
                validators=[Optional(), limits.MaxChars(limits.EMAIL)],
            ),
        )
    for question in call.questions:
        setattr(
            ApplyForm,
            f"answer_{question['key']}",
            TextAreaField(
                question["text"], filters=[strip], validators=[limits.MaxChars(limits.PARAGRAPH)]
            ),
        )
    form = ApplyForm(**kwargs)
    groups = [(str(g.id), g.name) for g in represented_by(user)]
    form.group.choices = choices([*groups, ("new", _l("A new group"))])
    kinds = [
        (k, label)
        for k, label in kind_labels().items()
        if not call.proponent_kinds or k in call.proponent_kinds
    ]
    form.new_group_kind.choices = choices(kinds)
    for n in range(1, PARTNER_ROWS + 1):
        getattr(form, f"partner_{n}_kind").choices = choices([("", "—"), *kinds])
    form.theme.choices = choices([(t["key"], t["title"]) for t in call.themes])
    form.commons.choices = [SelectChoice(o.commons_id, o.commons.name) for o in call.offers]
    return form


def partners_of(form) -> list[dict]:
    return [
        {
            "name": getattr(form, f"partner_{n}_name").data,
            "kind": getattr(form, f"partner_{n}_kind").data,
            "email": getattr(form, f"partner_{n}_email").data,
        }
        for n in range(1, PARTNER_ROWS + 1)
    ]


def answers_of(form, call) -> dict:
    return {q["key"]: getattr(form, f"answer_{q['key']}").data for q in call.questions}


class DeclareForm(FlaskForm):
    declaration = RadioField(
        _l("Conflict of interest"),
        choices=[
            SelectChoice(
                "none", _l("I declare that I have no conflict of interest with this proposal.")
            ),
            SelectChoice("recuse", _l("I recuse myself from evaluating this proposal.")),
        ],
        validators=[DataRequired(_l("Choose one."))],
    )
    recusal = TextAreaField(
        _l("Why you recuse yourself"),
        filters=[strip],
        validators=[limits.MaxChars(limits.REASON * 2)],
    )


def score_form(call, **kwargs):
    """Points and reason for each criterion of the grid."""

    class ScoreForm(FlaskForm):
        pass

    for criterion in call.criteria:
        setattr(
            ScoreForm,
            f"points_{criterion.key}",
            IntegerField(
                _l("%(c)s: points (0 to %(n)d)", c=criterion.title, n=criterion.max_points),
                validators=[
                    Optional(),
                    NumberRange(0, criterion.max_points, _l("Out of the scale.")),
                ],
                description=criterion.description,
            ),
        )
        setattr(
            ScoreForm,
            f"reason_{criterion.key}",
            TextAreaField(
                _l("%(c)s: reason", c=criterion.title),
                filters=[strip],
                validators=[limits.MaxChars(limits.PARAGRAPH)],
            ),
        )
    return ScoreForm(**kwargs)


def scores_of(form, call) -> dict:
    return {
        c.id: (getattr(form, f"points_{c.key}").data, getattr(form, f"reason_{c.key}").data)
        for c in call.criteria
    }


class ExcludeForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the proposal is excluded"),
        filters=[strip],
        validators=[DataRequired(_l("Say why.")), limits.MaxChars(limits.REASON * 2)],
    )


class ActForm(FlaskForm):
    act_number = StringField(
        _l("Number of the admitting act"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the number of the act.")), limits.MaxChars(50)],
    )
    act_date = DateField(
        _l("Date of the act"), validators=[DataRequired(_l("Enter the date of the act."))]
    )


def sheet_form(call, **kwargs):
    """A photo or plan for the information sheet of one of ``call``'s commons."""

    class SheetFileForm(FlaskForm):
        offer = SelectField(_l("The commons it shows"), coerce=int)
        # Its description (the size limit) is set by the view from the settings.
        file = FileField(
            _l("Photo (JPEG or PNG) or plan (PDF)"),
            validators=[FileRequired(_l("Choose a file."))],
        )
        description = StringField(
            _l("What it shows"),
            description=_l(
                "For a photo, what a person who cannot see it should know (it is read aloud in "
                "its place); for a plan, its title (“Ground floor, scale 1:100”)."
            ),
            filters=[strip],
            validators=[
                DataRequired(
                    _l("Describe the file: what the photo shows, or the title of the plan.")
                ),
                limits.MaxChars(300),
            ],
        )

    form = SheetFileForm(**kwargs)
    form.offer.choices = [SelectChoice(o.id, o.commons.name) for o in call.offers]
    return form


class StepForm(FlaskForm):
    """A button moving the call one step (CSRF only)."""
