"""Translation catalogue upkeep: ``python -m commons.i18n update`` and ``compile``.

``update`` extracts every translatable string into ``messages.pot``, merges it into each
language's catalogue, and fills the English catalogue from the source strings (the code is
written in English), so both catalogues stay complete. Italian strings still need a
translator: the test suite fails while any is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).parent / "translations"
ROOT = Path(__file__).resolve().parent.parent
SOURCE_LANGUAGE = "en"


def _babel(*args: str) -> None:
    subprocess.run(  # noqa: S603 - runs this interpreter's own babel with fixed arguments
        [sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT
    )


def update() -> None:
    pot = TRANSLATIONS / "messages.pot"
    _babel(
        "extract",
        "-F",
        str(TRANSLATIONS / "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "--no-location",
        "--sort-output",
        "--project",
        "Commons",
        "-o",
        str(pot),
        ".",
    )
    _babel("update", "-i", str(pot), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")
    path = TRANSLATIONS / SOURCE_LANGUAGE / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=SOURCE_LANGUAGE)
    for message in catalog:
        if message.id and not message.string:
            message.string = message.id
    with path.open("wb") as fh:
        write_po(fh, catalog, no_location=True, sort_output=True)


def compile_all() -> None:
    _babel("compile", "-d", str(TRANSLATIONS))


if __name__ == "__main__":
    {"update": update, "compile": compile_all}[sys.argv[1] if len(sys.argv) > 1 else "update"]()
