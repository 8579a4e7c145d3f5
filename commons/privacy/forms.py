"""Forms of the privacy pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, TextAreaField
from wtforms.validators import DataRequired

from commons import limits
from commons.config import LANGUAGES

ACK_LABEL = _l("I have read the privacy notice")
ACK_REQUIRED = _l("Tick the box to say you have read the privacy notice.")


def acknowledgement_field():
    """The required tick under the privacy notice (register, apply)."""
    return BooleanField(ACK_LABEL, validators=[DataRequired(ACK_REQUIRED)])


class AcknowledgeForm(FlaskForm):
    privacy = acknowledgement_field()
    # The version the person read: a newer one published meanwhile is shown to them first.
    notice_version = HiddenField()


class NoticeForm(FlaskForm):
    """One text per language; publishing makes a new version."""


for _code, _name in LANGUAGES.items():
    setattr(
        NoticeForm,
        f"body_{_code}",
        TextAreaField(
            _l("Text (%(language)s)", language=_name),
            validators=[limits.MaxChars(limits.LONG_TEXT)],
        ),
    )


class DownloadForm(FlaskForm):
    pass


class ErasureRequestForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        description=_l("To confirm it is you."),
        validators=[DataRequired(_l("Enter your password.")), limits.MaxChars(limits.PASSWORD)],
    )
    confirm = BooleanField(
        _l("I understand that my account will be closed and cannot be restored"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ErasureDecisionForm(FlaskForm):
    reasons = TextAreaField(
        _l("Reasons (if you refuse)"), validators=[limits.MaxChars(limits.LONG_TEXT)]
    )
