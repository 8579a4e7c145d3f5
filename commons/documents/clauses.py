"""The first draft of a pact's text, written from the proposal's data in the city's language.

``default_content(proposal, settings, language)`` returns the content of a pact version
(``{"sections": [{"key", "title", "articles": [{"title", "text"}]}]}``) with one section per
section of the proposal's regulation profile, in the profile's order, and numbered-article
clauses modelled on the Labsus model regulation's pacts. Officers edit it during co-design;
the frozen version is what the pact document (commons.documents.rendering) prints.

Pure functions: no request, no database query beyond the proposal's loaded relationships, no
clock. The same proposal, settings and language always give the same dict. Texts are plain
text (never HTML); paragraphs are separated by a blank line ("\\n\\n").

``settings`` keys (all optional; ``settings_from_config`` builds them from the app config):

=====================  ==================================================================
city_name              the city's name ("Bologna")
city_office            the office that runs pacts ("Commons Office")
city_address           the seat of the city, printed with the parties
city_tax_code          the city's tax code
signatory              who signs for the city ("Giulia Romano")
signatory_title        their title ("Director of the Commons Office"), after their name
signatory_power        the power under which they sign ("art. 107 of Legislative Decree
                       267/2000 and the Mayor's decree no. 12 of 2025")
regulation             the title of the regulation pacts are made under
regulation_article     the article of that regulation on pacts ("art. 5")
timezone               for dates of recorded events (default Europe/Rome)
clause_templates       the city's folder of clause templates, searched before the packaged
                       ones (``<instance>/pacts/clauses``; see "Clause templates" below)
=====================  ==================================================================

A text setting may be given per language with a suffix (``regulation_it``, ``signatory_it``):
the suffixed value wins for that language.

Clause templates: the words of each section are a Jinja template,
``templates/pacts/clauses/<lang>/<section>.txt``; each article starts with a line
``## <article title>``, paragraphs are separated by a blank line. The facts are read once from
the proposal (``_facts``) and every template gets the same ``context``; a city overrides any
template by putting a file of the same name in ``clause_templates``. Documented for legal
officers in docs/documents.md ("Clause templates").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jinja2 import BaseLoader, Environment, StrictUndefined, Template, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from commons.config import SETTINGS
from commons.documents.clause_facts import _Facts, _facts, _text
from commons.documents.clause_wording import (
    _asset_line,
    _capitalised,
    _city_en,
    _city_it,
    _date,
    _en_mid,
    _en_the,
    _it_office,
    _it_split_article,
    _join,
    _lettered,
    _months,
    _onerous_titles,
    _paragraphs,
    _proponent_name,
    _support_items,
    format_date,  # noqa: F401 - rendering.py and the tests import it from here
    italian_preposition,
)
from commons.documents.clause_words import (
    GROUP_KINDS,
    LANGUAGES,
    ONEROUS_SECTIONS,  # noqa: F401 - rendering.py and the tests import it from here
    PACKAGED_TEMPLATES,
    SECTION_TITLES,
    WORDS,
)
from commons.formatting import amount_text

# Setting keys of default_content and the Flask config keys they come from.
CONFIG_KEYS = {
    "city_name": "CITY_NAME",
    "city_office": "CITY_OFFICE",
    "city_address": "CITY_ADDRESS",
    "city_tax_code": "CITY_TAX_CODE",
    "signatory": "CITY_SIGNATORY",
    "signatory_title": "CITY_SIGNATORY_TITLE",
    "signatory_power": "CITY_SIGNATORY_POWER",
    "regulation": "CITY_REGULATION",
    "regulation_article": "CITY_REGULATION_ARTICLE",
    "timezone": "CITY_TIMEZONE",
}


def settings_from_config(config) -> dict:
    """The settings ``default_content`` reads, taken from a Flask config (missing ones left out).

    The regulation left at its default is left out too: the clauses then name it in the
    pact's language, not in the English of the setting's default. The city's own clause
    templates are looked for in the instance folder, under ``pacts/clauses/<lang>/``.
    """
    default_regulation = SETTINGS["COMMONS_CITY_REGULATION"][0]
    settings = {
        key: config[name]
        for key, name in CONFIG_KEYS.items()
        if config.get(name) and not (key == "regulation" and config[name] == default_regulation)
    }
    if config.get("INSTANCE_DIR"):
        settings["clause_templates"] = str(Path(config["INSTANCE_DIR"]) / "pacts" / "clauses")
    return settings


def normalise_language(language: str | None) -> str:
    """``"it"``, ``"it_IT"`` and ``"it-IT"`` are Italian; empty means English; others refused."""
    base = re.split(r"[-_]", (language or "en").strip().lower())[0] or "en"
    if base not in LANGUAGES:
        raise ValueError(f"no pact clauses in language {language!r}; known: {LANGUAGES}")
    return base


def section_titles(language: str = "en") -> dict[str, str]:
    """The legal headings of the profile's sections in ``language``."""
    return dict(SECTION_TITLES[normalise_language(language)])


def default_content(proposal, settings: dict | None = None, language: str = "en") -> dict:
    """The first draft of the pact text for ``proposal``, in ``language`` ("en" or "it").

    Its terms are those of the application (commons.documents.terms.from_application); the
    articles that print them are written from those terms and marked ``generated``.
    """
    from commons.documents.terms import from_application

    content = _sections(proposal, settings, language)
    content["terms"] = from_application(proposal).to_dict()
    return apply_terms(content, proposal, settings, language)


def _sections(proposal, settings: dict | None, language: str) -> dict:
    lang = normalise_language(language)
    facts = _facts(proposal, settings or {}, lang)
    titles = SECTION_TITLES[lang]
    sections = []
    for key in facts.sections:
        title = titles.get(key) or key.replace("_", " ").capitalize()
        builder = _builder(settings or {}, lang, key)
        articles = builder(facts) if builder else [(title, WORDS[lang]["to_complete"])]
        sections.append(
            {
                "key": key,
                "title": title,
                "articles": [{"title": t, "text": text} for t, text in articles],
            }
        )
    return {"sections": sections}


@dataclass(frozen=True)
class _Generated:
    """An article written from the terms: its section, and its title in each language."""

    name: str
    section: str
    titles: dict[str, str]
    position: int  # where it goes in its section when a legacy text lacks it


# The articles that print the term, the commons covered, the support or the report interval.
# Their titles come from each language's words.toml ([generated]).
GENERATED = tuple(
    _Generated(name, section, {lang: w["generated"][name] for lang, w in WORDS.items()}, at)
    for name, section, at in (
        ("object", "object", 0),
        ("costs", "object", 3),
        ("duration", "duration", 0),
        ("support", "commitments", 2),
        ("reports", "monitoring", 0),
        ("insurance", "liability", 1),
    )
)


def apply_terms(content: dict, proposal, settings: dict | None, language: str) -> dict:
    """The content with its generated articles written again from ``content["terms"]``.

    Each generated article carries ``"generated": <name>`` (see GENERATED) and is replaced by
    the text its section's builder writes from the terms; in a text saved before terms
    existed, the article with the same title takes that role. Content without terms is
    returned as it is.
    """
    from commons.documents.terms import Terms

    data = content.get("terms")
    if not data:
        return content
    lang = normalise_language(language)
    terms = Terms.from_dict(data)
    facts = _with_terms(_facts(proposal, settings or {}, lang), terms)
    sections = []
    for section in content.get("sections", []):
        slots = [g for g in GENERATED if g.section == section.get("key")]
        builder = _builder(settings or {}, lang, section.get("key")) if slots else None
        if not slots or builder is None:
            sections.append(section)
            continue
        written = dict(builder(facts))
        articles = [dict(a) for a in section.get("articles", [])]
        for slot in slots:
            title = slot.titles[lang]
            if title not in written:
                continue
            at = next((i for i, a in enumerate(articles) if a.get("generated") == slot.name), None)
            if at is None:
                at = next(
                    (
                        i
                        for i, a in enumerate(articles)
                        if not a.get("generated") and a.get("title") in slot.titles.values()
                    ),
                    None,
                )
            article = {"title": title, "text": written[title], "generated": slot.name}
            if at is None:
                articles.insert(min(slot.position, len(articles)), article)
            else:
                articles[at] = article
        sections.append({**section, "articles": articles})
    return {**content, "sections": sections}


def _with_terms(facts: _Facts, terms) -> _Facts:
    """The facts with the term, commons covered, support and report interval of ``terms``."""
    from dataclasses import replace

    parts = {c.id: c.part for c in terms.commons}
    names = {c.name: c.part for c in terms.commons}
    commons = tuple(
        replace(a, part=parts.get(asset_id, names.get(a.name, "")))
        for a in facts.commons
        if a.id in parts or (a.id is None and a.name in names)
        for asset_id in (a.id,)
    )
    amount = ""
    if terms.support_amount is not None:
        amount = amount_text(terms.support_amount, facts.lang)
    return replace(
        facts,
        start=terms.start_date,
        end=terms.planned_end,
        months=terms.duration_months,
        commons=commons if terms.commons or not facts.commons else facts.commons,
        support=tuple(terms.support),
        support_notes=_text(terms.support_notes),
        support_amount=amount,
        report_months=terms.report_interval_months,
    )


# --- the clause templates -------------------------------------------------------------------

# A template's "## <title>" lines become a control character before Jinja reads it: the text
# the facts bring (an activity typed as "## Step one") has no control characters (_text), so
# it can never start an article of its own.
_TITLE_LINE = re.compile(r"^## ", re.MULTILINE)
_ARTICLE = re.compile(r"^\x01(.+)$", re.MULTILINE)


def _care(f: _Facts) -> str:
    return WORDS[f.lang]["care_complex" if f.complex else "care"]


# How the city is named mid-sentence, by language; another language prints the setting.
_CITY_PHRASES = {"en": _city_en, "it": _city_it}


def _city(f: _Facts) -> str:
    return _CITY_PHRASES.get(f.lang, lambda f: f.city)(f)


class _ClauseLoader(BaseLoader):
    """A clause template from the city's folder if it has one, else the packaged one.

    Like Jinja's ChoiceLoader over two FileSystemLoaders, but a compiled template is out of
    date as soon as its file changes or a city's file of the same name appears or goes, so
    an override takes effect for the next version written, without a restart.
    """

    def __init__(self, override: str):
        self.folders = [Path(override)] if override else []
        self.folders.append(PACKAGED_TEMPLATES)

    def _path(self, name: str) -> Path | None:
        parts = name.split("/")
        if any(p in ("", ".", "..") for p in parts):
            return None
        return next(
            (f.joinpath(*parts) for f in self.folders if f.joinpath(*parts).is_file()), None
        )

    def get_source(self, environment, template):
        path = self._path(template)
        if path is None:
            raise TemplateNotFound(template)
        mtime = path.stat().st_mtime
        source = _TITLE_LINE.sub("\x01", path.read_text(encoding="utf-8"))

        def uptodate() -> bool:
            found = self._path(template)
            return found == path and found.stat().st_mtime == mtime

        return source, str(path), uptodate


@lru_cache(maxsize=8)
def _environment(override: str) -> Environment:
    """Templates of the city's folder (``override``) first, then the packaged ones.

    Sandboxed: a city's template reads the facts and calls the helpers it is given, and
    reaches nothing else of Python (no ``__class__``, no private attributes).
    """
    return SandboxedEnvironment(
        loader=_ClauseLoader(override),
        # Plain text stored as the version's JSON, never HTML: the renderer escapes it.
        autoescape=False,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.do"],
    )


def _template(settings: dict, lang: str, section: str) -> Template | None:
    """The template of ``section`` in ``lang``, the city's own if it has one; None if none."""
    try:
        return _environment(str(settings.get("clause_templates") or "")).get_template(
            f"{lang}/{section}.txt"
        )
    except TemplateNotFound:
        return None


def context(f: _Facts) -> dict:
    """What every clause template gets: the facts ``f`` and the wording helpers of its language.

    Documented for the writers of templates in docs/documents.md ("Clause templates").
    """
    lang = f.lang
    return {
        "f": f,
        "lang": lang,
        "titles": SECTION_TITLES[lang],
        "city": _city(f),
        "care": _care(f),
        "proponent": _proponent_name(f),
        "group_kind": GROUP_KINDS[lang].get(f.group_kind, f.group_kind.replace("_", " ")),
        "commons_lines": "\n".join(_asset_line(a, lang) for a in f.commons),
        "support_items": _support_items(f),
        "onerous": _onerous_titles(f),
        "date": lambda value: _date(value, lang),
        "dates": lambda values: [_date(v, lang) for v in values],
        "months": lambda n: _months(n, lang),
        "join": lambda items: _join(list(items), lang),
        "lettered": lambda items: _paragraphs(*_lettered(list(items))),
        "cap": _capitalised,
        "the": _en_the,
        "mid": _en_mid,
        "prep": italian_preposition,
        "office_after": _it_office,
        "has_article": lambda phrase: bool(_it_split_article(phrase)[0]),
    }


def _articles(template: Template, f: _Facts) -> list[tuple[str, str]]:
    """The (title, text) articles a section's template writes: each starts "## <title>"."""
    rendered = template.render(context(f))
    found = list(_ARTICLE.finditer(rendered))
    articles = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(rendered)
        text = re.sub(r"\n{3,}", "\n\n", rendered[match.end() : end].strip("\n"))
        articles.append((match.group(1).strip(), text))
    return articles


def _builder(settings: dict, lang: str, section: str):
    """The function writing a section's articles from the facts, or None without a template."""
    template = _template(settings, lang, section)
    if template is None:
        return None
    return lambda f: _articles(template, f)
