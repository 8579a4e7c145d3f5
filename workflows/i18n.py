"""Messages of the engine in the reader's language.

The engine knows nothing of Flask: the application plugs its translator in with
``set_translator`` (flask_babel's gettext); without one, messages stay in English.
"""

from __future__ import annotations

from collections.abc import Callable

_translator: Callable[..., str] | None = None


def set_translator(translate: Callable[..., str] | None) -> None:
    global _translator
    _translator = translate


def _(message: str, **values) -> str:
    """Translate ``message`` and fill its %(name)s placeholders."""
    if _translator is not None:
        return _translator(message, **values)
    return message % values if values else message


_date_formatter: Callable[[object], str] | None = None


def set_date_formatter(format_day: Callable[[object], str] | None) -> None:
    """Plug in how a date is written in the reader's language (flask_babel's format_date)."""
    global _date_formatter
    _date_formatter = format_day


def day(value) -> str:
    """A date for a message, in the reader's language; ISO 8601 without a formatter."""
    if _date_formatter is not None:
        try:
            return _date_formatter(value)
        except RuntimeError:  # outside an application context: no locale to ask
            pass
    return value.isoformat()
