"""What every request may carry: text without control characters.

PostgreSQL cannot store a NUL character in text, and the other C0 control characters
(besides tab, line feed and carriage return) have no place in a name, a pact clause or a
search: sent in a form or a query they used to end in a server error. They are refused
before any view runs, naming the field, in the user's language; nothing is stored.
"""

from __future__ import annotations

import re

from flask import Flask, render_template, request
from flask_babel import gettext as _

# C0 controls except tab, line feed, carriage return; and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
