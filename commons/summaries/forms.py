"""The office's form for the public summary (and its translations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from commons import limits
from commons.forms import strip
from commons.summaries.models import SUMMARY_FIELDS

_LENGTH = limits.MaxChars(limits.LONG_TEXT)


class SummaryForm(FlaskForm):
    objectives = TextAreaField(
        _l("Objectives"),
        filters=[strip],
        validators=[_LENGTH],
        description=_l("What the proposal wants to achieve, in plain words."),
    )
    activities = TextAreaField(
        _l("Activities"),
        filters=[strip],
        validators=[_LENGTH],
        description=_l("What the proponents will do."),
    )
    places = TextAreaField(
        _l("Places"),
        filters=[strip],
        validators=[_LENGTH],
        description=_l("The commons and where on them (e.g. the flower beds by the north gate)."),
    )
    times = TextAreaField(
        _l("Times"),
        filters=[strip],
        validators=[_LENGTH],
        description=_l(
            "When and how often the activities happen (e.g. every Saturday morning, "
            "March to October)."
        ),
    )
    support = TextAreaField(
        _l("Support asked of the city"),
        filters=[strip],
        validators=[_LENGTH],
        description=_l("Materials, tools, training, insurance, spaces, fee exemptions..."),
    )
    # The version the text was read at: saving refuses when someone saved another since.
    base_version = HiddenField()

    def texts(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in SUMMARY_FIELDS}

    def version(self) -> int:
        try:
            return int(self.base_version.data or 0)
        except ValueError:
            return -1  # tampered with: refused as a conflict, never saved over another
