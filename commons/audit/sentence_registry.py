"""The registry of history sentences: what a sentence builder is given, and how it is registered.

The builders are in :mod:`commons.audit.sentences_lifecycle` (the lifecycle's triggers) and
:mod:`commons.audit.sentences_records` (the other events); :mod:`commons.audit.sentences`
imports them and tells a history with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup, escape

from commons.payloads import payload_value


@dataclass
class Said:
    """What a builder sees of one event: who (already escaped), its payload, the names."""

    who: Markup
    payload: dict
    to_state: str | None
    private: bool
    people: dict
    count: int = 1
    fields: list = field(default_factory=list)

    def get(self, key: str, default=None):
        return self.payload.get(key, default)

    def text(self, key: str) -> Markup:
        return escape(str(self.payload.get(key) or "").strip())

    def date(self, key: str) -> Markup:
        return payload_value(self.payload.get(key))

    def person(self, key: str) -> Markup:
        """The name of a person the payload refers to by id, or "someone"."""
        name = self.people.get(self.payload.get(key)) if self.private else None
        return escape(name) if name else escape(_("someone"))


def _w(text: str) -> Markup:
    # Every value was escaped (or is Markup) before it went into the translated sentence.
    return Markup(text)  # noqa: S704


def _with_text(said: Said, key: str, plain: str, with_text: str) -> Markup:
    """One sentence without the person's text, or with it after a colon when it is shown."""
    if said.get(key):
        return _w(with_text % {"who": said.who, "text": said.text(key)})
    return _w(plain % {"who": said.who})


Builder = Callable[[Said], Markup]
SENTENCES: dict[str, Builder] = {}


def sentence(*kinds: str):
    def register(fn: Builder) -> Builder:
        for kind in kinds:
            SENTENCES[kind] = fn
        return fn

    return register
