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


_field_labeller: Callable[[str], str] | None = None


def set_field_labeller(labeller: Callable[[str], str] | None) -> None:
    """Plug in how the application names a piece of data on its forms (``act_number`` ->
    "Decision act number"), so refusals name fields as people read them."""
    global _field_labeller
    _field_labeller = labeller


def field_label(name: str) -> str:
    """The label of the input ``name`` in the reader's language; the name itself without one."""
    if _field_labeller is not None:
        return _field_labeller(name)
    return name.replace("_", " ")


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
