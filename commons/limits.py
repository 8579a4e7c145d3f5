"""The largest text each field accepts, in one place (docs/limits.md lists them for users).

Limits count characters (what a person sees), not bytes. They apply to what is written:
the web forms (``MaxChars``, which also gives the browser its ``maxlength``) and the API
schemas (``commons.api.schemas``) refuse longer input with a message that says the limit;
text already stored that is longer than a limit set later still displays and prints.

The figures follow what the text is for and what the pact renderer can print in time:

- ``PROTOCOL`` ... ``SHORT``: codes and short words, as long as their database columns;
- ``NAME``: a name, a title, a short line (a person's or group's name, a pact title);
- ``LINE``: a longer single line (an address);
- ``REASON``, ``COMMENT``, ``PARAGRAPH``: a reason, a public comment, a description;
- ``LONG_TEXT``: an application's objectives and activities;
- ``REPORT``: a monitoring report, the minutes of a meeting, an opinion;
- ``CLAUSE``: one article of the pact text;
- ``PACT_TEXT``: the whole pact text, every article's title and text together
  (``COMMONS_PACT_TEXT_MAX_CHARS`` may lower or raise it: printing time grows with it);
- ``PACT_LINES``: the lines of the whole pact text. A line break costs the renderer far more
  than a character (a pact of 10,000 one-letter lines took 28 s where 200,000 characters of
  prose take 6), so the number of lines is bounded as well as the characters.
"""

from __future__ import annotations

from flask import current_app, has_app_context, has_request_context
from flask_babel import format_decimal
from flask_babel import gettext as _
from wtforms.validators import Length, ValidationError

from commons.errors import DomainError

PROTOCOL = 20  # a protocol number
TAX_CODE = 32
PHONE = 40
SHORT = 100  # a district, a neighbourhood, a cadastral reference, a token's name
NAME = 200
EMAIL = 254  # RFC 5321: the longest address a mail server carries
LINE = 300  # an address
PASSWORD = 1_000  # hashing is slow by design: a password of megabytes would tie up a worker
REASON = 1_000  # why a comment is reported or hidden
COMMENT = 4_000  # a public comment, a message to the office
PARAGRAPH = 5_000  # a description, a note, a comment on a version, minutes' attendees
LONG_TEXT = 10_000  # an application's objectives or activities, a summary's part
REPORT = 20_000  # a monitoring report, minutes, an opinion, a transition's reason
CLAUSE = 20_000  # one article of the pact text, its title and text together
ARTICLE_TITLE = 500
PACT_TEXT = 100_000
GEOMETRY = 100_000  # a commons' outline as GeoJSON text
PACT_LINES = 1_000  # lines of the whole pact text (each paragraph is at least one)
SECTIONS = 100  # sections of a pact text
ARTICLES = 200  # articles in one section

# A request body the JSON API reads at most: the whole pact text at its limit, escaped as
# JSON (\uXXXX is up to 12 bytes a character), with room to spare.
API_BODY_BYTES = 4 * 1024 * 1024


def pact_text_limit() -> int:
    """The whole pact text's limit, in characters (the app's setting, else ``PACT_TEXT``)."""
    if has_app_context():
        return int(current_app.config.get("PACT_TEXT_MAX_CHARS") or PACT_TEXT)
    return PACT_TEXT


def number(value: int) -> str:
    """A count as the user's language writes it (200,000 / 200.000)."""
    return format_decimal(value) if has_request_context() else f"{value:,}"


def too_long(limit: int, length: int) -> str:
    """The sentence shown for a text that is too long, in the user's language."""
    return _(
        "This text has %(length)s characters; at most %(max)s are accepted here. Shorten it by "
        "%(over)s characters.",
        length=number(length),
        max=number(limit),
        over=number(length - limit),
    )


class MaxChars(Length):
    """WTForms: at most ``limit`` characters, said in the message; rendered as ``maxlength``.

    The message says how long the text is and how much to cut, so a person who pasted a long
    text knows what to do. What was typed stays in the field.
    """

    def __init__(self, limit: int):
        super().__init__(max=limit)

    def __call__(self, form, field):
        if isinstance(field.data, str) and len(field.data) > self.max:
            raise ValidationError(too_long(self.max, len(field.data)))


class TextTooLong(DomainError):
    """A text over its limit (the pact text, one of its articles)."""


def article_chars(article: dict) -> int:
    return len(str(article.get("title") or "")) + len(str(article.get("text") or ""))


def pact_text_chars(content: dict) -> int:
    """Characters of the pact text: every section's and article's title and text."""
    total = 0
    for section in content.get("sections") or []:
        total += len(str(section.get("title") or ""))
        total += sum(article_chars(a) for a in section.get("articles") or [])
    return total


def pact_text_lines(content: dict) -> int:
    """Non-empty lines of the pact's article texts (what the renderer breaks into lines)."""
    return sum(
        sum(1 for line in str(article.get("text") or "").splitlines() if line.strip())
        for section in content.get("sections") or []
        for article in section.get("articles") or []
    )


def check_pact_text(content: dict) -> None:
    """Refuse a pact text over its limits: an article over ``CLAUSE``, the whole over the limit.

    Raised as ``TextTooLong`` naming the article (its section and number), so the editor and
    the API say what to shorten.
    """
    for section in content.get("sections") or []:
        for number_in_section, article in enumerate(section.get("articles") or [], start=1):
            title = str(article.get("title") or "")
            if len(title) > ARTICLE_TITLE:
                raise TextTooLong(
                    _(
                        "The title of article %(n)d of the section \u201c%(section)s\u201d is "
                        "too long. %(why)s",
                        n=number_in_section,
                        section=section.get("title") or section.get("key") or "",
                        why=too_long(ARTICLE_TITLE, len(title)),
                    ),
                    field="content",
                )
            length = article_chars(article)
            if length > CLAUSE:
                raise TextTooLong(
                    _(
                        "Article %(n)d of the section \u201c%(section)s\u201d is too long. %(why)s",
                        n=number_in_section,
                        section=section.get("title") or section.get("key") or "",
                        why=too_long(CLAUSE, length),
                    ),
                    field="content",
                )
    limit = pact_text_limit()
    total = pact_text_chars(content)
    if total > limit:
        raise TextTooLong(
            _("The pact text as a whole is too long. %(why)s", why=too_long(limit, total)),
            field="content",
        )
    lines = pact_text_lines(content)
    if lines > PACT_LINES:
        raise TextTooLong(
            _(
                "The pact text has %(lines)s lines; at most %(max)s are accepted. Join short "
                "lines into paragraphs, or shorten the text.",
                lines=number(lines),
                max=number(PACT_LINES),
            ),
            field="content",
        )
