"""How the values recorded in audit payloads are shown to people.

Payloads keep dates and times as ISO 8601 text (``2026-12-05``, ``2026-12-05T09:30:00+00:00``):
that is what the hash chain covers, and it never changes. Pages show them as dates in the
reader's language, times in the city's time zone (commons.formatting), inside a ``<time>`` element
whose ``datetime`` attribute keeps the recorded value.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from markupsafe import Markup, escape

from commons.formatting import format_day, format_moment

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?"
)


def moment_of(value) -> date | datetime | None:
    """The date or time an ISO 8601 text stands for, or None if it is not one."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
        if _DATETIME.fullmatch(value):
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        return None
    return None


def readable_moment(moment: date | datetime) -> str:
    """A date, or a date and time in the city's time zone (labelled), in the reader's
    language: the one format of commons.formatting."""
    if isinstance(moment, datetime):
        return format_moment(moment)
    return format_day(moment)


def moment_html(moment: date | datetime | None) -> Markup:
    """A date or a time for a page: readable in the reader's language and the city's time
    zone, inside a ``<time>`` element that keeps the exact value. The histories (case page,
    public pact page) show every date through here."""
    if moment is None:
        return Markup("")
    if isinstance(moment, datetime) and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Markup('<time datetime="{raw}">{text}</time>').format(
        raw=moment.isoformat(), text=readable_moment(moment)
    )


def payload_value(value) -> Markup:
    """One payload value as safe HTML: dates localised, yes/no for flags, lists and mappings
    spelled out (their dates too)."""
    if isinstance(value, bool):
        return escape(_("yes") if value else _("no"))
    moment = moment_of(value)
    if moment is not None:
        return Markup('<time datetime="{raw}">{text}</time>').format(
            raw=value, text=readable_moment(moment)
        )
    if isinstance(value, dict):
        return Markup("; ").join(
            Markup("{key}: {value}").format(key=key, value=payload_value(item))
            for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return Markup(", ").join(payload_value(item) for item in value)
    if value is None:
        return Markup("–")
    return escape(value)
