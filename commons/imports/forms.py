"""The officer's correction of an imported proposal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from commons import limits
from commons.forms import VersionedForm, strip


class CorrectionForm(VersionedForm, FlaskForm):
    status = SelectField(_l("State"), validators=[DataRequired()])
    commons = StringField(
        _l("Commons (its name or address in the register)"),
        filters=[strip],
        validators=[DataRequired(), limits.MaxChars(limits.LINE)],
    )
    proponent = StringField(
        _l("Proponent (the representative's name)"),
        filters=[strip],
        validators=[DataRequired(), limits.MaxChars(limits.NAME)],
    )
    proponent_kind = SelectField(_l("Kind of proponent"), validators=[DataRequired()])
    start_date = DateField(_l("Start of the term"), validators=[Optional()])
    end_date = DateField(_l("End of the term"), validators=[Optional()])
    act_number = StringField(
        _l("Number of the approving act"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(50)],
    )
    act_date = DateField(_l("Date of the approving act"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason for the correction"),
        filters=[strip],
        validators=[DataRequired(), limits.MaxChars(limits.REASON)],
    )
