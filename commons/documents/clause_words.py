"""The words of each language of the pact: section titles, support forms, kinds of groups and
commons, read from the packaged ``templates/pacts/clauses/<lang>/words.toml``."""

from __future__ import annotations

import tomllib
from pathlib import Path

# The packaged templates: one folder per language, one file per section of the profile, and
# the language's words (words.toml: section titles, support forms, kinds...). A language is
# known when its folder has a words.toml.
PACKAGED_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "pacts" / "clauses"


def _load_words(root: Path = PACKAGED_TEMPLATES) -> dict[str, dict]:
    """Each language folder's words.toml, by the folder's name (the language's code)."""
    return {
        folder.name: tomllib.loads((folder / "words.toml").read_text(encoding="utf-8"))
        for folder in sorted(root.iterdir())
        if (folder / "words.toml").is_file()
    }


WORDS = _load_words()
LANGUAGES = tuple(WORDS)

SECTION_TITLES: dict[str, dict[str, str]] = {
    lang: dict(words["section_titles"]) for lang, words in WORDS.items()
}

# Clauses the proponent approves with a second signature (Italian Civil Code, art. 1341-1342):
# they limit liability, allow withdrawal or suspension, or restrict the proponent's rights.
ONEROUS_SECTIONS = (
    "duration",
    "liability",
    "disputes",
    "end_of_collaboration",
    "termination_for_breach",
)

SUPPORT_WORDS = {lang: dict(words["support"]) for lang, words in WORDS.items()}
GROUP_KINDS = {lang: dict(words["group_kinds"]) for lang, words in WORDS.items()}
COMMONS_KINDS = {lang: dict(words["commons_kinds"]) for lang, words in WORDS.items()}
DEFAULT_REGULATION = {lang: words["default_regulation"] for lang, words in WORDS.items()}
