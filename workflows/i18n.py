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
