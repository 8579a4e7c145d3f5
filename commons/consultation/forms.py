"""Forms of the public consultation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from commons import limits
from commons.forms import strip


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Write your comment.")),
            limits.MaxChars(limits.COMMENT),
        ],
        description=_l(
            "Published with your name. Be specific: what you support, what worries you."
        ),
    )


class JoinForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the group (optional)"),
        filters=[strip],
        validators=[limits.MaxChars(limits.COMMENT)],
        description=_l(
            "What you would like to do with them. Only the group and the office read it."
        ),
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (optional)"),
        filters=[strip],
        validators=[limits.MaxChars(limits.REASON)],
        description=_l("The person who asked reads it."),
    )


class HideForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for hiding"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Say why the comment is hidden.")),
            limits.MaxChars(limits.REASON),
        ],
    )
