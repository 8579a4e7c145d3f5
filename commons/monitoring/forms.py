"""The monitoring report form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, TextAreaField

from commons import limits
from commons.impact.forms import SEPARATOR, indicator_fields


class ReportForm(FlaskForm):
    """The report's text, photos and consent; :func:`report_form` adds the indicators."""

    report_text = TextAreaField(
        _l("What was done in this period"),
        validators=[limits.MaxChars(limits.REPORT)],
        description=_l("Activities, results, problems met. The report is published."),
    )
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

    framework = None
    indicators: tuple = ()
    lang = "en"

    def breakdown_fields(self, indicator_id: str, breakdown: str) -> list[str]:
        prefix = f"{indicator_id}{SEPARATOR}{breakdown}{SEPARATOR}"
        return [name for name in self._fields if name.startswith(prefix)]

    def indicator_groups(self) -> list:
        """(indicator, its field, [(breakdown, [fields])]) in the framework's order."""
        return [
            (
                indicator,
                self[indicator.id],
                [
                    (
                        self.framework.breakdowns[dim],
                        [self[n] for n in self.breakdown_fields(indicator.id, dim)],
                    )
                    for dim in indicator.breakdowns
                    if self.breakdown_fields(indicator.id, dim)
                ],
            )
            for indicator in self.indicators
        ]


def report_form(framework, indicators, lang: str, districts=()) -> ReportForm:
    """A report form with one field per indicator of ``framework`` that applies (and its
    breakdowns), labelled in ``lang``."""
    form_class = type(
        "FrameworkReportForm",
        (ReportForm,),
        {
            "framework": framework,
            "indicators": tuple(indicators),
            "lang": lang,
            **indicator_fields(framework, indicators, lang, districts),
        },
    )
    return form_class()
