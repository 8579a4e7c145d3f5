"""The public verification form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Optional, Regexp

from commons.forms import strip


class VerifyForm(FlaskForm):
    document = FileField(_l("A pact PDF"), description=_l("The file is checked and not kept."))
    sha256 = StringField(
        _l("Or its SHA-256 fingerprint"),
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            Optional(),
            Regexp(r"^[0-9a-f]{64}$", message=_l("A SHA-256 has 64 characters 0-9 and a-f.")),
        ],
    )


class PactFileForm(FlaskForm):
    """On a pact's verification page: the file someone holds, to compare with the issued one."""

    document = FileField(
        _l("The PDF file you hold"),
        description=_l("The file is checked and not kept."),
        validators=[FileRequired(_l("Choose the PDF file to check."))],
    )


class PactEditForm(FlaskForm):
    """The clause editor's own fields; articles come as s<i>-a<j>-title / -text."""

    comment = StringField(
        _l("What did you change?"),
        filters=[strip],
        description=_l("Saved with the version, for the other party."),
        validators=[Optional()],
    )
