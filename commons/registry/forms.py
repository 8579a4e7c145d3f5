"""The form officers use to add or edit a commons."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import TextInput

from commons import limits
from commons.forms import VersionedForm, choices, strip
from commons.registry.labels import DISTRICT, NEIGHBOURHOOD
from commons.registry.models import (
    FACTS,
    Accessibility,
    Availability,
    CommonsKind,
    ConditionRating,
    EmptyFor,
    FireCertificate,
    OwnerKind,
    Reliability,
    UtilityState,
    VacancyReportStatus,
)

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


# --- the asset dossier ------------------------------------------------------------------------

CONDITION_LABELS = {
    ConditionRating.GOOD: _l("Good"),
    ConditionRating.FAIR: _l("Fair: minor repairs"),
    ConditionRating.POOR: _l("Poor: major repairs"),
    ConditionRating.UNSAFE: _l("Unsafe: not usable"),
}
UTILITY_LABELS = {
    UtilityState.WORKING: _l("Working"),
    UtilityState.NEEDS_REPAIR: _l("Needs repair"),
    UtilityState.DISCONNECTED: _l("Disconnected"),
    UtilityState.ABSENT: _l("Absent"),
}
UTILITY_NAMES = {
    "water": _l("Water"),
    "power": _l("Power"),
    "heating": _l("Heating"),
    "sewer": _l("Sewer"),
}
FIRE_LABELS = {
    FireCertificate.VALID: _l("Valid"),
    FireCertificate.EXPIRED: _l("Expired"),
    FireCertificate.NONE: _l("None"),
}
ACCESSIBILITY_LABELS = {
    Accessibility.STEP_FREE: _l("Step-free access"),
    Accessibility.PARTIAL: _l("Partly accessible"),
    Accessibility.NOT_ACCESSIBLE: _l("Not accessible"),
}
OWNER_LABELS = {
    OwnerKind.CITY: _l("The city"),
    OwnerKind.PUBLIC_BODY: _l("Another public body"),
    OwnerKind.PRIVATE: _l("A private owner"),
    OwnerKind.NON_PROFIT: _l("A non-profit organisation"),
}
RELIABILITY_LABELS = {
    Reliability.SURVEYED: _l("Surveyed"),
    Reliability.REPORTED: _l("Reported"),
    Reliability.ESTIMATED: _l("Estimated"),
}
FACT_LABELS = {
    "floor_area": _l("Floor area"),
    "year_built": _l("Year built"),
    "condition": _l("Condition"),
    "vacant_since": _l("Vacant since"),
    "utilities": _l("Utilities"),
    "safety": _l("Safety limits"),
    "heritage": _l("Heritage constraints"),
    "permitted_uses": _l("Permitted uses"),
    "owner": _l("Owner"),
    "cadastral": _l("Cadastral detail"),
}
assert set(FACT_LABELS) == set(FACTS)

_UNKNOWN = _l("Not known")


def _optional_choices(labels) -> list:
    return choices([("", _UNKNOWN), *labels.items()])


class AreaField(DecimalField):
    """Square metres typed with a point or a decimal comma ("640,5"): a text input, since a
    number input takes a comma or not depending on the browser's language."""

    widget = TextInput()

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)


def _reliability_field(fact: str):
    return SelectField(
        _l("How it is known (%(fact)s)", fact=FACT_LABELS[fact]),
        choices=_optional_choices(RELIABILITY_LABELS),
    )


class DossierForm(VersionedForm, FlaskForm):
    """The asset dossier of a commons, as officers edit it."""

    floor_area_m2 = AreaField(
        _l("Floor area (m²)"),
        places=None,
        validators=[Optional(), NumberRange(min=0.1, message=_l("Enter a floor area above zero."))],
        render_kw={"inputmode": "decimal"},
    )
    year_built = IntegerField(
        _l("Year built"),
        validators=[Optional(), NumberRange(min=1000, max=9999, message=_l("Enter a year."))],
    )
    condition = SelectField(_l("Condition"), choices=_optional_choices(CONDITION_LABELS))
    condition_on = DateField(_l("Condition assessed on"), validators=[Optional()])
    condition_notes = TextAreaField(
        _l("Notes on the condition"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)],
    )
    vacant_since = DateField(
        _l("Vacant since"),
        validators=[Optional()],
        description=_l("Leave empty when the place is in use."),
    )
    water = SelectField(UTILITY_NAMES["water"], choices=_optional_choices(UTILITY_LABELS))
    power = SelectField(UTILITY_NAMES["power"], choices=_optional_choices(UTILITY_LABELS))
    heating = SelectField(UTILITY_NAMES["heating"], choices=_optional_choices(UTILITY_LABELS))
    sewer = SelectField(UTILITY_NAMES["sewer"], choices=_optional_choices(UTILITY_LABELS))
    fire_certificate = SelectField(_l("Fire certificate"), choices=_optional_choices(FIRE_LABELS))
    max_occupancy = IntegerField(
        _l("Maximum occupancy (people)"),
        validators=[Optional(), NumberRange(min=0, message=_l("Enter zero or more people."))],
    )
    accessibility = SelectField(
        _l("Accessibility"), choices=_optional_choices(ACCESSIBILITY_LABELS)
    )
    heritage_constraints = TextAreaField(
        _l("Heritage constraints"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)],
    )
    permitted_uses = TextAreaField(
        _l("Permitted uses"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)],
    )
    owner_kind = SelectField(_l("Owner"), choices=_optional_choices(OWNER_LABELS))
    owner_name = StringField(
        _l("Name of the owner"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.NAME)],
    )
    owner_contact = TextAreaField(
        _l("How to reach the owner (staff only)"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)],
    )
    access_notes = TextAreaField(
        _l("Access notes: keys, codes, who opens (staff only)"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)],
    )
    cadastral_detail = TextAreaField(
        _l("Cadastral detail: sheet, parcels, units (staff only)"),
        filters=[strip],
        validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)],
    )
    reliability_floor_area = _reliability_field("floor_area")
    reliability_year_built = _reliability_field("year_built")
    reliability_condition = _reliability_field("condition")
    reliability_vacant_since = _reliability_field("vacant_since")
    reliability_utilities = _reliability_field("utilities")
    reliability_safety = _reliability_field("safety")
    reliability_heritage = _reliability_field("heritage")
    reliability_permitted_uses = _reliability_field("permitted_uses")
    reliability_owner = _reliability_field("owner")
    reliability_cadastral = _reliability_field("cadastral")

    def reliability(self) -> dict:
        return {fact: self[f"reliability_{fact}"].data or None for fact in FACTS}


class InspectionForm(FlaskForm):
    inspected_on = DateField(
        _l("Date of the inspection"), validators=[DataRequired(_l("Enter the date."))]
    )
    inspector = StringField(
        _l("Inspector"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter who inspected the place.")),
            limits.MaxChars(limits.NAME),
        ],
    )
    rating = SelectField(_l("Condition found"), choices=choices(CONDITION_LABELS.items()))
    notes = TextAreaField(
        _l("Notes"), filters=[strip], validators=[Optional(), limits.MaxChars(limits.PARAGRAPH)]
    )


# --- vacancy reports --------------------------------------------------------------------------

EMPTY_FOR_LABELS = {
    EmptyFor.UNDER_A_YEAR: _l("Less than a year"),
    EmptyFor.ONE_TO_FIVE_YEARS: _l("One to five years"),
    EmptyFor.OVER_FIVE_YEARS: _l("More than five years"),
}

REPORT_STATUS_LABELS = {
    VacancyReportStatus.PENDING: _l("Waiting for the office"),
    VacancyReportStatus.LISTED: _l("Listed in the register"),
    VacancyReportStatus.DECLINED: _l("Declined"),
}


class VacancyReportForm(FlaskForm):
    """Anyone logged in reports an empty or derelict place."""

    address = StringField(
        _l("Address"),
        filters=[strip],
        description=_l("Street and number, or the nearest crossing."),
        validators=[DataRequired(_l("Enter the address.")), limits.MaxChars(limits.LINE)],
    )
    # The ids of the map picker's fields (commons/static/js/place-picker.js).
    latitude = CoordinateField(
        _l("Latitude (optional)"),
        -90,
        90,
        id="new_place_latitude",
        description=_l("Decimal degrees, e.g. 44.4949; the map fills it in."),
    )
    longitude = CoordinateField(
        _l("Longitude (optional)"),
        -180,
        180,
        id="new_place_longitude",
        description=_l("Decimal degrees, e.g. 11.3426; the map fills it in."),
    )
    place_kind = SelectField(
        _l("Kind of place"),
        choices=choices(KIND_LABELS.items()),
        default=CommonsKind.BUILDING.value,
    )
    description = TextAreaField(
        _l("What is the place, and why does it look empty?"),
        filters=[strip],
        description=_l("For example: a closed shop, boarded windows, a fenced yard."),
        validators=[
            DataRequired(_l("Describe the place: what it is and why it looks empty.")),
            limits.MaxChars(limits.PARAGRAPH),
        ],
    )
    empty_for = SelectField(
        _l("How long has it been empty? (optional)"),
        choices=choices([("", _l("I do not know")), *EMPTY_FOR_LABELS.items()]),
        default="",
    )
    # Its description (the size limit) is set by the view from the settings.
    photo = FileField(_l("A photo (optional)"))

    def validate_longitude(self, field):
        if (self.latitude.value is None) != (field.value is None) and not (
            self.latitude.errors or field.errors
        ):
            raise ValidationError(_l("Give both latitude and longitude, or neither."))


class ListVacancyForm(FlaskForm):
    """The office lists a reported place as a commons."""

    name = StringField(
        _l("Name in the register"),
        filters=[strip],
        validators=[DataRequired(_l("Enter the name.")), limits.MaxChars(limits.NAME)],
    )
    district = StringField(
        DISTRICT, filters=[strip], validators=[Optional(), limits.MaxChars(limits.SHORT)]
    )


class DeclineVacancyForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the place is not listed"),
        filters=[strip],
        description=_l("The reporter reads it."),
        validators=[
            DataRequired(_l("Say why the report is declined: its reporter reads it.")),
            limits.MaxChars(limits.REASON),
        ],
    )
