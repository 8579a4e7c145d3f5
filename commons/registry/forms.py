"""The form officers use to add or edit a commons."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from commons import limits
from commons.forms import VersionedForm, choices, strip
from commons.registry.labels import DISTRICT, NEIGHBOURHOOD
from commons.registry.models import Availability, CommonsKind

KIND_LABELS = {
    CommonsKind.PARK: _l("Park"),
    CommonsKind.GARDEN: _l("Garden or flower bed"),
    CommonsKind.SQUARE: _l("Square"),
    CommonsKind.STREET: _l("Street"),
    CommonsKind.BUILDING: _l("Building"),
    CommonsKind.SCHOOL_YARD: _l("School yard"),
    CommonsKind.SPORTS_AREA: _l("Sports area"),
    CommonsKind.GREEN_AREA: _l("Green area"),
    CommonsKind.OTHER: _l("Other"),
}

AVAILABILITY_LABELS = {
    Availability.AVAILABLE: _l("Available for a pact"),
    Availability.IN_PACT: _l("Cared for under a pact"),
    Availability.UNAVAILABLE: _l("Not available"),
}


def parse_coordinate(text: str | None, low: int, high: int) -> Decimal | None:
    """Read a coordinate typed with a point or a decimal comma; None when empty.

    Raises ValueError with a user-facing message when it is not a number in range.
    """
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(_l("Enter a number such as 44.4949.")) from None
    if not value.is_finite() or not (low <= value <= high):
        raise ValueError(_l("Enter a number between %(low)s and %(high)s.", low=low, high=high))
    return value.quantize(Decimal("0.000001"))


class CoordinateField(StringField):
    """A latitude or longitude; accepts '44.49' or '44,49' and keeps what was typed on error."""

    def __init__(self, label, low: int, high: int, **kwargs):
        super().__init__(label, **kwargs)
        self.low, self.high = low, high
        self.value = None

    def pre_validate(self, form):
        try:
            self.value = parse_coordinate(self.data, self.low, self.high)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class CommonsForm(VersionedForm, FlaskForm):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the name.")), limits.MaxChars(limits.NAME)],
    )
    kind = SelectField(_l("Kind"), choices=choices(KIND_LABELS.items()))
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)],
    )
    address = StringField(
        _l("Address"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the address.")), limits.MaxChars(limits.LINE)],
    )
    district = StringField(
        DISTRICT, filters=[strip], validators=[Optional(), limits.MaxChars(limits.SHORT)]
    )
    neighbourhood = StringField(
        NEIGHBOURHOOD, filters=[strip], validators=[Optional(), limits.MaxChars(limits.SHORT)]
    )
    latitude = CoordinateField(
        _l("Latitude"), -90, 90, description=_l("Decimal degrees, e.g. 44.4949")
    )
    longitude = CoordinateField(
        _l("Longitude"), -180, 180, description=_l("Decimal degrees, e.g. 11.3426")
    )
    geometry = TextAreaField(
        _l("Outline (GeoJSON geometry)"),
        filters=[strip],
        description=_l("Optional: a GeoJSON Polygon, MultiPolygon or LineString of the area."),
        validators=[Optional(), limits.MaxChars(limits.GEOMETRY)],
    )
    cadastral_reference = StringField(
        _l("Cadastral reference"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.SHORT)],
    )
    owner_office = StringField(
        _l("Office in charge"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.NAME)],
    )
    availability = SelectField(_l("Availability"), choices=choices(AVAILABILITY_LABELS.items()))

    def validate_longitude(self, field):
        if (self.latitude.value is None) != (field.value is None) and not self.latitude.errors:
            raise ValidationError(_l("Give both latitude and longitude, or neither."))

    def validate_geometry(self, field):
        if not field.data:
            field.parsed = None
            return
        try:
            data = json.loads(field.data)
        except ValueError:
            raise ValidationError(_l("This is not valid JSON.")) from None
        problem = geometry_problem(data)
        if problem:
            raise ValidationError(problem)
        field.parsed = data


GEOMETRY_TYPES = {"Point", "LineString", "Polygon", "MultiLineString", "MultiPolygon"}


def geometry_problem(data) -> str | None:
    """Say what is wrong with a GeoJSON geometry object, or None."""
    if not isinstance(data, dict) or data.get("type") not in GEOMETRY_TYPES:
        return str(
            _l(
                "Give a GeoJSON geometry with a type among %(types)s.",
                types=", ".join(sorted(GEOMETRY_TYPES)),
            )
        )
    if not isinstance(data.get("coordinates"), list) or not data["coordinates"]:
        return str(_l("The geometry has no coordinates."))

    def positions(node):
        if node and all(isinstance(v, int | float) for v in node):
            yield node
        else:
            for child in node:
                if not isinstance(child, list):
                    raise TypeError
                yield from positions(child)

    try:
        for pos in positions(data["coordinates"]):
            if len(pos) < 2 or not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
                return str(_l("Every position must be [longitude, latitude] within range."))
    except TypeError:
        return str(_l("The coordinates are not nested lists of numbers."))
    return None
