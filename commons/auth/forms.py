"""Forms for login, registration, the account page and user administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from commons import limits
from commons.auth.models import Role
from commons.config import LANGUAGES
from commons.forms import choices, strip
from commons.privacy.forms import acknowledgement_field


def role_labels() -> dict:
    return dict(
        [
            (Role.CITIZEN.value, _l("Citizen")),
            (Role.OFFICER.value, _l("Officer")),
            (Role.LEGAL.value, _l("Legal officer")),
            (Role.AUDITOR.value, _l("Auditor")),
            (Role.ADMIN.value, _l("Administrator")),
            (Role.EVALUATOR.value, _l("Evaluator")),
        ]
    )


def language_choices(with_default: bool = False):
    pairs = list(LANGUAGES.items())
    if with_default:
        pairs.insert(0, ("", _l("City default")))
    return choices(pairs)


def _email_field(label) -> EmailField:
    """The e-mail address a person types for their own account (register, log in, reset...)."""
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            limits.MaxChars(limits.EMAIL),
        ],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = _email_field(_l("E-mail address"))
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), limits.MaxChars(limits.PASSWORD)],
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class RegistrationForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your full name.")), limits.MaxChars(limits.NAME)],
    )
    email = _email_field(_l("E-mail address"))
    password = PasswordField(
        _l("Password"),
        description=_l(
            "At least 10 characters; a short sentence is easy to remember and hard to guess."
        ),
        validators=[DataRequired(_l("Choose a password.")), limits.MaxChars(limits.PASSWORD)],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
    )
    locale = SelectField(_l("Language"), choices=language_choices(), default="en")
    privacy = acknowledgement_field()
    # The version of the notice the page showed (a newer one published meanwhile is shown).
    notice_version = HiddenField()


class ProfileForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your full name.")), limits.MaxChars(limits.NAME)],
    )
    tax_code = StringField(
        _l("Tax code"), filters=[strip], validators=[Optional(), limits.MaxChars(limits.TAX_CODE)]
    )
    locale = SelectField(_l("Language"), choices=language_choices(with_default=True))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Enter your current password.")),
            limits.MaxChars(limits.PASSWORD),
        ],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a new password.")), limits.MaxChars(limits.PASSWORD)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two passwords differ.")),
        ],
    )


class LogoutEverywhereForm(FlaskForm):
    """Only the CSRF token: "Log out everywhere" is a POST from the account page."""


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=language_choices())


class UserRolesForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=choices(role_labels().items()),
        validators=[DataRequired(_l("Choose at least one role."))],
    )
    active = BooleanField(_l("Account active"))


class AdminCreateUserForm(FlaskForm):
    full_name = StringField(
        _l("Full name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the full name.")), limits.MaxChars(limits.NAME)],
    )
    email = EmailField(
        _l("E-mail address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            limits.MaxChars(limits.EMAIL),
        ],
    )
    password = PasswordField(
        _l("Initial password"),
        description=_l("Give it to the person safely; they can change it on their account page."),
        validators=[DataRequired(_l("Choose a password.")), limits.MaxChars(limits.PASSWORD)],
    )
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=choices(role_labels().items()),
        default=[Role.CITIZEN.value],
        validators=[DataRequired(_l("Choose at least one role."))],
    )


def role_label(role) -> str:
    """The translated name of a role, for display."""
    return str(role_labels().get(str(role), str(role)))


class ForgotPasswordForm(FlaskForm):
    email = _email_field(_l("E-mail address"))


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        description=_l(
            "At least 10 characters; a short sentence is easy to remember and hard to guess."
        ),
        validators=[DataRequired(_l("Choose a new password.")), limits.MaxChars(limits.PASSWORD)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the new password.")),
            EqualTo("new_password", _l("The two passwords differ.")),
        ],
    )


class EmailChangeForm(FlaskForm):
    email = _email_field(_l("New e-mail address"))
    password = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Enter your current password.")),
            limits.MaxChars(limits.PASSWORD),
        ],
    )


class ResendForm(FlaskForm):
    """Only the CSRF token: the button that sends the confirmation link again."""
