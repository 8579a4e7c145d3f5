"""The auditor's search (GET, no CSRF: it changes nothing) and the export form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from commons import limits
from commons.audit.queries import Filters
from commons.forms import choices, strip
from commons.registry.labels import DISTRICT

FORMAT_LABELS = {
    "csv": _l("CSV (events, for spreadsheets and scripts)"),
    "jsonl": _l("JSON Lines (events, one JSON object a line)"),
    "xlsx": _l("Excel workbook (pacts, events, versions, signatures, reports)"),
    "zip": _l("Evidence bundle (ZIP with manifest, documents and hashes, verifiable offline)"),
}


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    protocol = StringField(
        _l("Protocol number"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.PROTOCOL)],
    )
    commons = StringField(
        _l("Commons"),
        description=_l("Part of the commons' name."),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.NAME)],
    )
    district = SelectField(DISTRICT, validate_choice=False)
    state = SelectField(_l("State"), validate_choice=False)
    date_from = DateField(
        _l("Activity from"),
        description=_l("Pacts with at least one event on or after this day."),
        validators=[Optional()],
    )
    date_to = DateField(
        _l("Activity until"),
        description=_l("Pacts with at least one event on or before this day."),
        validators=[Optional()],
    )
    officer = StringField(
        _l("Case officer"),
        description=_l("The officer's e-mail address."),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.EMAIL)],
    )

    def __init__(self, *args, districts=(), states=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.district.choices = choices([("", _l("All districts")), *((d, d) for d in districts)])
        self.state.choices = choices([("", _l("All states")), *states])
        self._states = {value for value, _label in states}

    def validate_state(self, field):
        if field.data and field.data not in self._states:
            raise ValidationError(_l("Choose one of the states offered."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end day is before the start day."))

    def filters(self) -> Filters:
        return Filters(
            protocols=(self.protocol.data,) if self.protocol.data else (),
            state=self.state.data or None,
            district=self.district.data or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            officer=self.officer.data or None,
            commons=self.commons.data or None,
        )

    def query_args(self) -> dict:
        """The search as URL arguments (empty ones left out)."""
        values = {
            "protocol": self.protocol.data,
            "commons": self.commons.data,
            "district": self.district.data,
            "state": self.state.data,
            "date_from": self.date_from.data.isoformat() if self.date_from.data else None,
            "date_to": self.date_to.data.isoformat() if self.date_to.data else None,
            "officer": self.officer.data,
        }
        return {k: v for k, v in values.items() if v}


class ExportForm(FlaskForm):
    format = SelectField(_l("Format"), choices=choices(FORMAT_LABELS.items()))
    bom = BooleanField(
        _l("Start the CSV with a byte order mark (helps spreadsheet programs read accents)")
    )
