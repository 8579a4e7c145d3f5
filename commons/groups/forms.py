"""Forms of the group pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from commons.forms import VersionedForm, strip


class GroupForm(VersionedForm, FlaskForm):
    name = StringField(
        _l("Name of the group"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the group's name.")), Length(max=200)],
    )
    kind = SelectField(
        _l("Kind of proponent"), validators=[DataRequired(_l("Choose the kind of proponent."))]
    )
    tax_code = StringField(
        _l("Tax code (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=32)],
        description=_l("For an association, a company or a school."),
    )
    address = StringField(
        _l("Address (optional)"), filters=[strip], validators=[Optional(), Length(max=300)]
    )
    email = EmailField(
        _l("Group e-mail address (optional)"),
        filters=[strip],
        validators=[Optional(), Email(_l("Enter a valid e-mail address."))],
    )
    phone = StringField(
        _l("Phone (optional)"), filters=[strip], validators=[Optional(), Length(max=40)]
    )


class MemberForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the person's full name.")), Length(max=200)],
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the person's e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
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
