"""One way to show dates, times and numbers to people: pages, PDFs, feeds, notifications, e-mails.

The formats (docs/admins.md, "Dates, times and numbers"):

- a **date** is written in the reader's language: Italian ``17/12/2026``, English
  ``17 December 2026`` (other languages: Babel's medium form). A time stored in UTC shown as a
  date is first moved to the city's time zone, so a deadline at 23:59 in Rome is not shown as
  the next day or the day before;
- a **date and time** is moved to the city's time zone (``COMMONS_CITY_TIMEZONE``) and labelled
  with the zone's abbreviation: ``17/12/2026, 14:05 CET``, ``17 December 2026, 14:05 CET``;
- a **number** follows the language's decimal sign and grouping, and a whole value has no
  decimals: Italian ``10`` and ``10,5``, English ``10`` and ``10.5``.

Machine-readable values (``<time datetime>``, Atom timestamps, CSV and JSON open data, audit
payloads and exports) stay ISO 8601 / RFC 3339: only what a person reads goes through here.

Two layers. The functions ``day_text``, ``moment_text`` and ``number_text`` are pure: they take
the language and the time zone as arguments, so a pact document is written in the document's
language, not the viewer's, and rendering stays a function of its input. ``format_day``,
``format_moment`` and ``format_number`` use Flask-Babel with the current request's (or forced)
language and the city's zone; ``register`` makes them the Jinja filters ``date``, ``datetime``,
``number`` and ``decimal``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal as babel_format_decimal

# Babel/CLDR patterns per language; a language not listed uses Babel's medium form.
DATE_PATTERNS = {"en": "d MMMM yyyy", "it": "dd/MM/yyyy"}
TIME_PATTERN = "HH:mm"
DEFAULT_ZONE = "Europe/Rome"
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?")


def _language(locale) -> str:
    return str(locale or "en").replace("-", "_").split("_")[0].lower()


def date_pattern(locale) -> str:
    """The date pattern for ``locale`` (e.g. ``dd/MM/yyyy`` for Italian)."""
    return DATE_PATTERNS.get(_language(locale), "medium")


def number_pattern(digits: int | None) -> str | None:
    """At most ``digits`` decimals, none for a whole value; None: Babel's default (up to 3)."""
    if digits is None:
        return None
    return "#,##0" + ("." + "#" * digits if digits > 0 else "")


def _parse(value):
    """An ISO 8601 text as a date or aware time; other values unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not _ISO.fullmatch(text):
        return value
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _zone(zone) -> ZoneInfo:
    if isinstance(zone, ZoneInfo):
        return zone
    return ZoneInfo(zone or DEFAULT_ZONE)


def local_moment(value: datetime, zone) -> datetime:
    """``value`` (naive means UTC, as the database keeps it) in ``zone``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone(zone))


def local_day(value, zone) -> date | None:
    """The calendar day of ``value`` in ``zone``; a date is its own day."""
    value = _parse(value)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return local_moment(value, zone).date()
    return value


# --- pure: language and zone given -----------------------------------------------------------


def day_text(value, locale, zone=None) -> str:
    """A date (or the city-day of a time) in ``locale``: ``17/12/2026``, ``17 December 2026``."""
    day = local_day(value, zone)
    if day is None:
        return ""
    if not isinstance(day, date):
        return str(day)
    return babel_format_date(day, date_pattern(locale), locale=_language(locale))


def zone_label(moment: datetime) -> str:
    """The zone's abbreviation at that moment (CET, CEST), or its UTC offset."""
    return moment.tzname() or moment.strftime("%z")


def moment_text(value, locale, zone) -> str:
    """A time in ``zone``, labelled: ``17/12/2026, 14:05 CET``. A date is shown as a date."""
    value = _parse(value)
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return day_text(value, locale, zone)
    local = local_moment(value, zone)
    time = babel_format_time(local, TIME_PATTERN, locale=_language(locale))
    return f"{day_text(local.date(), locale)}, {time} {zone_label(local)}"


def number_text(value, locale, digits: int | None = None) -> str:
    """A number in ``locale``: decimal comma in Italian, no ``.0`` on whole values."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    return babel_format_decimal(value, number_pattern(digits), locale=_language(locale))


def amount_text(value, locale) -> str:
    """A sum of money with its two decimals in ``locale``: ``1,234.50``, ``1.234,50``."""
    return babel_format_decimal(value, "#,##0.00", locale=_language(locale))


# --- Flask: the current language, the city's zone --------------------------------------------


def city_zone() -> ZoneInfo:
    """The city's time zone (``COMMONS_CITY_TIMEZONE``)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return _zone(DEFAULT_ZONE)
    return _zone(current_app.config.get("CITY_TIMEZONE"))


def current_language() -> str:
    from flask import has_app_context
    from flask_babel import get_locale

    if not has_app_context():
        return "en"
    return _language(get_locale())


def city_day(value) -> date | None:
    """The calendar day of ``value`` in the city's time zone."""
    return local_day(value, city_zone())


def format_day(value) -> str:
    """A date in the reader's language, the day in the city's zone for a time."""
    return day_text(value, current_language(), city_zone())


def format_moment(value) -> str:
    """A date and time in the city's zone, labelled, in the reader's language."""
    return moment_text(value, current_language(), city_zone())


def format_number(value, digits: int | None = None) -> str:
    """A number in the reader's language."""
    return number_text(value, current_language(), digits)


def readable_params(params: dict) -> dict:
    """Notification parameters with their ISO dates and times written for the reader."""
    shown = {}
    for key, value in params.items():
        parsed = _parse(value)
        if isinstance(parsed, datetime):
            shown[key] = format_moment(parsed)
        elif isinstance(parsed, date):
            shown[key] = format_day(parsed)
        else:
            shown[key] = value
    return shown


def register(app) -> None:
    """The Jinja filters ``date``, ``datetime``, ``number`` (``decimal``) and the same globals."""
    helpers = {
        "date": format_day,
        "datetime": format_moment,
        "number": format_number,
        "decimal": format_number,
        "city_day": city_day,
    }
    for name, fn in helpers.items():
        app.add_template_filter(fn, name)
    app.jinja_env.globals.update(
        format_date=format_day, format_datetime=format_moment, format_number=format_number
    )
