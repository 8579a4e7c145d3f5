"""Forms of the group pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Optional

from commons import limits
from commons.forms import VersionedForm, strip


class GroupForm(VersionedForm, FlaskForm):
    name = StringField(
        _l("Name of the group"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the group's name.")), limits.MaxChars(limits.NAME)],
    )
    kind = SelectField(
        _l("Kind of proponent"), validators=[DataRequired(_l("Choose the kind of proponent."))]
    )
    tax_code = StringField(
        _l("Tax code (optional)"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.TAX_CODE)],
        description=_l("For an association, a company or a school."),
    )
    address = StringField(
        _l("Address (optional)"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.LINE)],
    )
    email = EmailField(
        _l("Group e-mail address (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Email(_l("Enter a valid e-mail address.")),
            limits.MaxChars(limits.EMAIL),
        ],
    )
    phone = StringField(
        _l("Phone (optional)"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.PHONE)],
    )


class MemberForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the person's full name.")),
            limits.MaxChars(limits.NAME),
        ],
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the person's e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            limits.MaxChars(limits.EMAIL),
        ],
        description=_l(
            "Someone with an account is added at once; anyone else gets an invitation by e-mail."
        ),
    )


class RepresentativeForm(FlaskForm):
    member_id = SelectField(
        _l("New representative"),
        validators=[DataRequired(_l("Choose a member."))],
        description=_l("Only members who have joined with an account can represent the group."),
    )
