"""The indicator fields of a monitoring report, generated from an impact framework.

One field per indicator (named by its id), and for a figure one field per category of each of
its breakdowns (``<indicator>__<breakdown>__<category>``). Labels and units are in the page's
language; bad values are refused field by field by the fields themselves.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import gettext as _
from wtforms import DecimalField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from commons.impact.framework import TEXT_MAX, Framework, Indicator

SEPARATOR = "__"


def breakdown_field_name(indicator: str, breakdown: str, category: str) -> str:
    return SEPARATOR.join((indicator, breakdown, category))


def _bounds_message(indicator: Indicator) -> str:
    low, high = format_decimal(indicator.min or 0), format_decimal(indicator.max or 0)
    if indicator.type == "count":
        if indicator.max is None:
            return _("Enter a whole number, %(min)s or more.", min=low)
        return _("Enter a whole number from %(min)s to %(max)s.", min=low, max=high)
    if indicator.max is None:
        return _("Enter a number, %(min)s or more.", min=low)
    return _("Enter a number from %(min)s to %(max)s.", min=low, max=high)


class _Whole(IntegerField):
    """A whole number whose unreadable input gets the indicator's own message."""

    def __init__(self, *args, bad: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.bad = bad

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.bad) from None


class _Figure(DecimalField):
    def __init__(self, *args, bad: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.bad = bad

    def process_formdata(self, valuelist):
        if valuelist:
            # People write "12,5" as often as "12.5".
            valuelist = [v.strip().replace(",", ".") for v in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.bad) from None
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.bad)


def _figure_field(indicator: Indicator, label: str, *, required: bool):
    message = _bounds_message(indicator)
    validators = [
        InputRequired(message=_("Required.")) if required else Optional(),
        NumberRange(min=indicator.min, max=indicator.max, message=message),
    ]
    kind = _Whole if indicator.type == "count" else _Figure
    return kind(label, validators=validators, bad=message)


def indicator_fields(framework: Framework, indicators, lang: str, districts=()) -> dict:
    """The form fields for ``indicators`` of ``framework``, by name, in display order."""
    fields: dict = {}
    for indicator in indicators:
        unit = indicator.unit(lang)
        label = f"{indicator.label(lang)} ({unit})" if unit else indicator.label(lang)
        if indicator.numeric:
            fields[indicator.id] = _figure_field(indicator, label, required=indicator.required)
            for dim in indicator.breakdowns:
                breakdown = framework.breakdowns[dim]
                categories = (
                    [(d, d) for d in districts]
                    if breakdown.from_register
                    else [(c.id, c.label(lang)) for c in breakdown.categories]
                )
                for cid, clabel in categories:
                    fields[breakdown_field_name(indicator.id, dim, cid)] = _figure_field(
                        indicator, clabel, required=False
                    )
        elif indicator.type == "choice":
            fields[indicator.id] = SelectField(
                label,
                choices=[SelectChoice("", _("Choose…"))]
                + [SelectChoice(c.id, c.label(lang)) for c in indicator.choices],
                validators=[
                    InputRequired(message=_("Required.")) if indicator.required else Optional()
                ],
            )
        else:
            fields[indicator.id] = TextAreaField(
                label,
                validators=[
                    InputRequired(message=_("Required.")) if indicator.required else Optional(),
                    Length(max=TEXT_MAX, message=_("At most %(n)d characters.", n=TEXT_MAX)),
                ],
            )
    return fields


def _plain(value):
    """A figure as JSON keeps it: whole numbers as int."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def collect(form, framework: Framework, indicators) -> tuple[dict, dict]:
    """The values and breakdowns typed in a validated ``form``; a breakdown above its
    indicator's total is refused on its field (the form then has errors)."""
    values: dict = {}
    breakdowns: dict = {}
    for indicator in indicators:
        total_field = form[indicator.id]
        if total_field.data not in (None, "") and not total_field.errors:
            values[indicator.id] = _plain(total_field.data)
        for dim in indicator.breakdowns:
            for name in form.breakdown_fields(indicator.id, dim):
                field = form[name]
                if field.data is None:
                    continue
                category = name.split(SEPARATOR, 2)[2]
                breakdowns.setdefault(indicator.id, {}).setdefault(dim, {})[category] = _plain(
                    field.data
                )
                total = values.get(indicator.id)
                if field.errors or total_field.errors:
                    continue  # already refused, or nothing sure to compare with
                if total is None or field.data > total:
                    field.errors = [
                        *field.errors,
                        _("At most the total of %(label)s.", label=indicator.label(form.lang))
                        if total is not None
                        else _(
                            "Give the total of %(label)s too.", label=indicator.label(form.lang)
                        ),
                    ]
    return values, breakdowns
