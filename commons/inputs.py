"""What every request may carry: text without control characters.

PostgreSQL cannot store a NUL character in text, and the other C0 control characters
(besides tab, line feed and carriage return) have no place in a name, a pact clause or a
search: sent in a form or a query they used to end in a server error. They are refused
before any view runs, naming the field, in the user's language; nothing is stored.

Bidi controls (the embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, and
the marks U+200E, U+200F and U+061C) change the order in which the text around them is shown:
"gnp.exe" behind a right-to-left override reads "exe.png". A name is shown alone, in lists,
e-mails and signed documents, so a name holding one is refused with a field error
(``refuse_bidi_controls``: a form shows it next to the field, the API answers a problem naming
the field). Longer text may need them for right-to-left scripts and is stored as typed; the pact
document, and the pages that show the pact text, print each one as a visible marker
(``show_bidi_controls``; in templates the filter ``bidi_visible``).
"""

from __future__ import annotations

import re

from flask import Flask, render_template, request
from flask_babel import gettext as _

from commons.errors import DomainError

# C0 controls except tab, line feed, carriage return; and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidi embeddings, overrides, isolates and marks: they reorder the text shown around them.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def show_bidi_controls(text: str) -> str:
    """The text with each bidi control replaced by a visible marker such as "[U+202E]"."""
    return BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def refuse_bidi_controls(value: str | None, field: str) -> None:
    """Refuse a name holding a bidi control (DomainError naming ``field``)."""
    match = BIDI_CONTROLS.search(value or "")
    if match:
        raise DomainError(
            _(
                "This name holds an invisible character (%(char)s) that changes the order in "
                "which the text around it is shown, so the name would not read as stored. "
                "Remove it (it often comes from pasting) and send again.",
                char=_describe(match.group()),
            ),
            field=field,
        )


def first_control(values) -> tuple[str, str] | None:
    """(field, character) of the first text value holding a control character, else None."""
    stack = [("", values)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, str):
            match = CONTROL.search(value) or CONTROL.search(name)
            if match:
                return name, match.group()
        elif isinstance(value, dict):
            stack.extend((f"{name}.{k}" if name else str(k), v) for k, v in value.items())
            stack.extend((name, str(k)) for k in value)
        elif isinstance(value, list | tuple):
            stack.extend((f"{name}[{i}]", v) for i, v in enumerate(value))
    return None


def _request_values():
    yield from request.args.items(multi=True)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        yield from request.form.items(multi=True)
        for name, upload in request.files.items(multi=True):
            yield name, upload.filename or ""
        if request.is_json:
            body = request.get_json(silent=True)
            if body is not None:
                yield "", body


def _describe(character: str) -> str:
    return "NUL" if character == "\x00" else f"U+{ord(character):04X}"


def install(app: Flask) -> None:
    """Refuse requests whose text holds control characters (a 400 page, or a 400 problem)."""

    @app.before_request
    def refuse_control_characters():
        for name, value in _request_values():
            found = first_control({name: value} if name else value)
            if found is None:
                continue
            field, character = found
            from commons.api import is_api_request
            from commons.api.errors import problem

            message = _(
                "The text of “%(field)s” holds an invisible control character (%(char)s) "
                "that cannot be stored. Remove it (it often comes from pasting) and send "
                "again.",
                field=field or "-",
                char=_describe(character),
            )
            if is_api_request():
                return problem(400, message, errors={field or "_schema": [message]})
            return render_template("errors/error.html", code=400, message=message), 400
        return None
