"""The monitoring report form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import NumberRange, Optional

from commons import limits

_WHOLE = _l("Enter a whole number, 0 or more.")


def _count(label):
    return IntegerField(
        label,
        validators=[Optional(), NumberRange(min=0, max=10_000_000, message=_WHOLE)],
    )


class ReportForm(FlaskForm):
    report_text = TextAreaField(
        _l("What was done in this period"),
        validators=[limits.MaxChars(limits.REPORT)],
        description=_l("Activities, results, problems met. The report is published."),
    )
    participants = _count(_l("Participants"))
    volunteer_hours = _count(_l("Volunteer hours"))
    events_held = _count(_l("Events held"))
    final = BooleanField(_l("This is the final report (needed before renewal)"))
    # Its description (the size limit) is set by the view from the settings.
    photos = MultipleFileField(_l("Photos (optional)"))
    # Unticked unless the representative says so: photos may show people.
    publish_photos = BooleanField(
        _l("Publish the photos of this report on the pact's public results page"),
        description=_l(
            "Anyone can then see them while the pact is in force (without the date, camera "
            "and position a photo file may carry). Tick it only if the photos show the place "
            "and the work, not people who did not agree to be shown. Unticked, the photos "
            "stay with the report for the office."
        ),
    )
