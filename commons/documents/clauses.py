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
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import BaseLoader, Environment, StrictUndefined, Template, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

import workflows
from commons.config import SETTINGS
from commons.formatting import amount_text, day_text

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


# --- facts: what the clauses say, read once from the proposal --------------------------------


@dataclass(frozen=True)
class _Asset:
    name: str
    kind: str
    address: str
    area: str
    cadastral: str
    coordinates: str
    part: str = ""
    id: int | None = None


@dataclass(frozen=True)
class _Opinion:
    department: str
    positive: bool | None
    given_on: date | None
    requested_on: date | None


@dataclass(frozen=True)
class _Facts:
    lang: str
    sections: tuple[str, ...]
    city: str
    office: str
    city_address: str
    city_tax_code: str
    signatory: str
    signatory_title: str
    signatory_power: str
    regulation: str
    regulation_article: str
    title: str
    complex: bool
    protocol: str
    submitted_on: date | None
    group_name: str
    group_kind: str
    group_tax_code: str
    group_address: str
    representative: str
    members: tuple[str, ...]
    commons: tuple[_Asset, ...]
    objectives: str
    activities: str
    support: tuple[str, ...]
    support_notes: str
    months: int | None
    start: date | None
    end: date | None
    opinions: tuple[_Opinion, ...]
    meetings: tuple[date, ...]
    deliberation_number: str
    deliberation_date: date | None
    case_officer: str
    predecessor_protocol: str
    report_months: int
    withdrawal_days: int
    suspension_hours: int
    max_term_months: int
    renewal_window_days: int
    support_amount: str = ""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value) -> str:
    """Plain text: no None, no control characters, newlines normalised, blank runs collapsed."""
    if value is None:
        return ""
    text = _CONTROL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _line(value) -> str:
    """A one-line value (a name, an address): inner whitespace collapsed."""
    return " ".join(_text(value).split())


def _setting(settings: dict, key: str, lang: str) -> str:
    return _line(settings.get(f"{key}_{lang}") or settings.get(key))


def _local_date(value, zone: ZoneInfo) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.date()
    return value


def _number(value) -> str:
    """A coordinate as written: 44.49, not 44.490000."""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text in ("-0", "") else text


def _clock(clocks: dict, key: str, default: int) -> int:
    try:
        return int(clocks.get(key, default))
    except (TypeError, ValueError):
        return default


def _facts(proposal, settings: dict, lang: str) -> _Facts:
    profile = workflows.get_profile(getattr(proposal, "profile", None))
    clocks = dict(profile.clocks)
    zone = ZoneInfo(_line(settings.get("timezone")) or "Europe/Rome")
    group = getattr(proposal, "group", None)
    representative = getattr(proposal, "representative", None) or getattr(
        group, "representative", None
    )
    rep_name = _line(getattr(representative, "full_name", ""))
    members: list[str] = []
    for member in getattr(group, "members", None) or []:
        name = _line(getattr(member, "full_name", ""))
        if name and name != rep_name and name not in members:
            members.append(name)
    kinds = COMMONS_KINDS[lang]
    commons = []
    for asset in getattr(proposal, "commons", None) or []:
        lat, lon = getattr(asset, "latitude", None), getattr(asset, "longitude", None)
        area = ", ".join(
            _line(v)
            for v in (getattr(asset, "neighbourhood", None), getattr(asset, "district", None))
            if _line(v)
        )
        commons.append(
            _Asset(
                name=_line(asset.name),
                kind=kinds.get(getattr(asset, "kind", "") or "", "") or "",
                address=_line(getattr(asset, "address", "")),
                area=area,
                cadastral=_line(getattr(asset, "cadastral_reference", "")),
                coordinates=(
                    f"{_number(lat)}, {_number(lon)}" if lat is not None and lon is not None else ""
                ),
                id=getattr(asset, "id", None),
            )
        )
    opinions = tuple(
        _Opinion(
            department=_line(o.department),
            positive=o.positive,
            given_on=_local_date(o.given_at, zone),
            requested_on=_local_date(o.requested_at, zone),
        )
        for o in getattr(proposal, "opinions", None) or []
        if _line(getattr(o, "department", ""))
    )
    meetings = tuple(
        sorted({m.held_on for m in getattr(proposal, "meetings", None) or [] if m.held_on})
    )
    predecessor = getattr(proposal, "predecessor", None)
    officer = getattr(proposal, "case_officer", None)
    support = []
    for item in getattr(proposal, "support_requested", None) or []:
        item = _line(item)
        if item and item not in support:
            support.append(item)
    # Known forms in the regulation's order, then any a profile added, as given.
    order = list(SUPPORT_WORDS["en"])
    support.sort(key=lambda s: order.index(s) if s in order else len(order))
    return _Facts(
        lang=lang,
        sections=tuple(profile.sections) or tuple(SECTION_TITLES["en"]),
        city=_setting(settings, "city_name", lang),
        office=_setting(settings, "city_office", lang),
        city_address=_setting(settings, "city_address", lang),
        city_tax_code=_setting(settings, "city_tax_code", lang),
        signatory=_setting(settings, "signatory", lang),
        signatory_title=_setting(settings, "signatory_title", lang),
        signatory_power=_setting(settings, "signatory_power", lang),
        regulation=_setting(settings, "regulation", lang) or DEFAULT_REGULATION[lang],
        regulation_article=_setting(settings, "regulation_article", lang),
        title=_line(getattr(proposal, "title", "")),
        complex=getattr(proposal, "pact_type", "ordinary") == "complex",
        protocol=_line(getattr(proposal, "protocol_number", "")),
        submitted_on=_local_date(getattr(proposal, "submitted_at", None), zone),
        group_name=_line(getattr(group, "name", "")),
        group_kind=_line(getattr(group, "kind", "")),
        group_tax_code=_line(getattr(group, "tax_code", "")),
        group_address=_line(getattr(group, "address", "")),
        representative=rep_name,
        members=tuple(members),
        commons=tuple(commons),
        objectives=_text(getattr(proposal, "objectives", "")),
        activities=_text(getattr(proposal, "activities", "")),
        support=tuple(support),
        support_notes=_text(getattr(proposal, "support_notes", "")),
        months=getattr(proposal, "requested_duration_months", None),
        start=getattr(proposal, "start_date", None),
        end=getattr(proposal, "end_date", None),
        opinions=opinions,
        meetings=meetings,
        deliberation_number=_line(getattr(proposal, "deliberation_number", "")),
        deliberation_date=getattr(proposal, "deliberation_date", None),
        case_officer=_line(getattr(officer, "full_name", "")),
        predecessor_protocol=_line(getattr(predecessor, "protocol_number", "")),
        report_months=_clock(clocks, "report_interval_months", 6),
        withdrawal_days=_clock(clocks, "withdrawal_notice_days", 30),
        suspension_hours=_clock(clocks, "suspension_notice_hours", 48),
        max_term_months=_clock(clocks, "max_term_months", 48),
        renewal_window_days=_clock(clocks, "renewal_window_days", 60),
    )


# --- shared wording helpers -----------------------------------------------------------------


def format_date(value: date | None, lang: str) -> str:
    """ "1 September 2025" / "01/09/2025": the app's one date format (commons.formatting),
    in the document's language whatever the viewer's or the process locale."""
    return _date(value, lang)


def _date(value: date | None, lang: str) -> str:
    return day_text(value, lang)


def _join(items: list[str], lang: str) -> str:
    """ "a, b and c" / "a, b e c"."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {WORDS[lang]['and']} {items[-1]}"


def _lettered(items: list[str]) -> list[str]:
    """Items as "a) ...;" paragraphs, the last ending with a full stop."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = []
    for i, item in enumerate(items):
        end = "." if i == len(items) - 1 else ";"
        out.append(f"{letters[i % 26]}) {item.rstrip('.;')}{end}")
    return out


def _paragraphs(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def _months(n: int, lang: str) -> str:
    return f"{n} {WORDS[lang]['month'] if n == 1 else WORDS[lang]['months']}"


def _capitalised(text: str) -> str:
    """The first letter in capitals, for a phrase that starts a sentence."""
    return text[:1].upper() + text[1:]


def _en_the(phrase: str) -> str:
    """ "the Commons Office" for "Commons Office" and for "The Commons Office" alike."""
    if phrase[:4].lower() == "the ":
        return "the " + phrase[4:]
    return f"the {phrase}"


def _en_mid(phrase: str) -> str:
    """A phrase set in the settings, as it reads mid-sentence: "The Director" -> "the Director"."""
    return "the " + phrase[4:] if phrase[:4] == "The " else phrase


def _city_en(f: _Facts) -> str:
    """The city as the clauses name it mid-sentence ("the City of Bologna")."""
    name = f.city or "the City"
    if name.lower().startswith(("city of", "town of", "municipality of")):
        return name
    if name.lower().startswith("the "):
        return "the " + name[4:]
    return f"the City of {name}"


# Italian fuses a preposition with the article that follows it ("di" + "il" = "del"): a
# setting or a name that starts with an article ("il Dirigente...", "l'Ufficio...") must be
# joined as Italian writes it, never "di il" or "da Il".
_IT_ARTICLE = re.compile(r"^(?:(il|lo|la|i|gli|le)\s+|(l)['’]\s*)(?=\S)", re.IGNORECASE)
_IT_FUSING = {"di": "de", "a": "a", "da": "da", "in": "ne", "su": "su"}
_IT_FUSED = {"il": "l", "lo": "llo", "la": "lla", "l'": "ll'", "i": "i", "gli": "gli", "le": "lle"}
# Words an office's name may start with, and the article each takes ("l'Ufficio Beni comuni").
_IT_OFFICE_NOUNS = {
    "ufficio": "l'",
    "settore": "il",
    "servizio": "il",
    "area": "l'",
    "direzione": "la",
    "divisione": "la",
    "dipartimento": "il",
    "unità": "l'",
    "sportello": "lo",
    "assessorato": "l'",
}


def _it_split_article(phrase: str) -> tuple[str, str]:
    """("il", "Dirigente del Settore") for "Il Dirigente del Settore"; ("", phrase) without."""
    match = _IT_ARTICLE.match(phrase)
    if not match:
        return "", phrase
    return (match.group(1) or "l'").lower(), phrase[match.end() :]


def italian_preposition(preposition: str, phrase: str, article: str = "") -> str:
    """``preposition`` before ``phrase``, fused with its article as Italian writes it.

    The phrase's own article wins ("da" + "Il Dirigente" = "dal Dirigente"); without one,
    ``article`` is used if given ("di" + "Regolamento..." with "il" = "del Regolamento...").
    Prepositions that do not fuse (con, per, tra, presso) keep the article in lower case, as
    does an empty preposition ("il Dirigente" mid-sentence).
    """
    found, rest = _it_split_article(phrase)
    if not found:
        found, rest = article.lower(), phrase
    if not found:
        return f"{preposition} {phrase}".strip()
    stem = _IT_FUSING.get(preposition.lower())
    if stem is not None:
        joined = stem + _IT_FUSED[found]
    else:
        joined = f"{preposition} {found}".strip()
    return joined + rest if joined.endswith("'") else f"{joined} {rest}"


def _it_office(preposition: str, office: str, fallback: str) -> str:
    """The office after a preposition: "dell'Ufficio Beni comuni" for an office so named,
    "dell'ufficio Commons Office" for one whose name says no kind, ``fallback`` for none."""
    if not office:
        return italian_preposition(preposition, fallback)
    if _it_split_article(office)[0]:
        return italian_preposition(preposition, office)
    article = _IT_OFFICE_NOUNS.get(office.split()[0].lower())
    if article:
        return italian_preposition(preposition, office, article)
    return italian_preposition(preposition, f"ufficio {office}", "l'")


def _city_it(f: _Facts) -> str:
    """The city as the clauses name it mid-sentence ("il Comune di Bologna")."""
    name = f.city or "Comune"
    if _it_split_article(name)[0]:
        return italian_preposition("", name)
    if name.lower().startswith("comune"):
        return f"il {name}"
    if name.lower().startswith("città"):
        return f"la {name}"
    return f"il Comune di {name}"


def _proponent_name(f: _Facts) -> str:
    if f.group_kind == "individual" or not f.group_name:
        return f.representative or f.group_name
    return f.group_name


def _asset_line(a: _Asset, lang: str) -> str:
    words = WORDS[lang]
    head = f"{a.name} ({a.kind})" if a.kind else a.name
    parts = [head]
    if a.address:
        parts.append(a.address)
    if a.area:
        parts.append(a.area)
    details = []
    if a.cadastral:
        details.append(f"{words['cadastral_reference']} {a.cadastral}")
    if a.coordinates:
        details.append(f"{words['coordinates']} {a.coordinates}")
    line = ", ".join(parts)
    if details:
        line += "; " + "; ".join(details)
    if a.part:
        line += f"; {words['part_covered']}: {a.part}"
    return f"– {line}"


def _support_items(f: _Facts) -> list[str]:
    words = SUPPORT_WORDS[f.lang]
    return [words.get(item, item.replace("_", " ")) for item in f.support]


def _onerous_titles(f: _Facts) -> list[str]:
    titles = SECTION_TITLES[f.lang]
    left, right = WORDS[f.lang]["quotes"]
    return [f"{left}{titles[k]}{right}" for k in ONEROUS_SECTIONS if k in f.sections]


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
