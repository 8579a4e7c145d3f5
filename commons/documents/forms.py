"""The public verification form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, Regexp

from commons import limits
from commons.forms import strip
from commons.proposals.forms import MultiCheckboxField


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
    """The clause editor's own fields; articles come as s<i>-a<j>-title / -text.

    The ``terms_*`` fields are the pact's terms (commons.documents.terms.from_form reads and
    checks them; the commons covered come as terms_commons-<id> and terms_part-<id>). They are
    text fields so that whatever was typed is shown again next to its error.

    ``base_version`` is the version the page was opened on (0: none yet); a save over a newer
    one is refused and shown as a merge (commons.documents.merge).
    """

    base_version = HiddenField(
        _l("The version you started from"),
        validators=[
            InputRequired(_l("Open the editor again: the version you started from is missing.")),
            Regexp(r"^\d{1,9}$", message=_l("The version you started from is not a number.")),
        ],
    )

    terms_start_date = StringField(
        _l("Start date"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        description=_l("As YYYY-MM-DD. Leave empty for the day of the last signature."),
        render_kw={"type": "date"},
    )
    terms_end_date = StringField(
        _l("End date"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        description=_l("As YYYY-MM-DD. Give an end date or a duration, not both."),
        render_kw={"type": "date"},
    )
    terms_duration_months = StringField(
        _l("Duration in months"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        description=_l("Counted from the start date."),
        render_kw={"inputmode": "numeric"},
    )
    terms_support = MultiCheckboxField(_l("Support from the city"), validate_choice=False)
    terms_support_amount = StringField(
        _l("Money contribution in euros (optional)"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        render_kw={"inputmode": "decimal"},
    )
    terms_support_notes = TextAreaField(
        _l("Details of the support (optional)"),
        filters=[strip],
        validators=[limits.MaxChars(limits.PARAGRAPH)],
    )
    terms_report_interval_months = StringField(
        _l("Monitoring report every (months)"),
        filters=[strip],
        validators=[limits.MaxChars(limits.SHORT)],
        render_kw={"inputmode": "numeric"},
    )

    comment = StringField(
        _l("What did you change?"),
        filters=[strip],
        description=_l("Saved with the version, for the other party."),
        validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)],
    )
