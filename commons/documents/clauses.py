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
=====================  ==================================================================

A text setting may be given per language with a suffix (``regulation_it``, ``signatory_it``):
the suffixed value wins for that language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import workflows
from commons.config import SETTINGS
from commons.formatting import day_text

LANGUAGES = ("en", "it")

SECTION_TITLES: dict[str, dict[str, str]] = {
    "en": {
        "title": "Title and legal basis",
        "parties": "Parties",
        "recitals": "Recitals",
        "object": "Object and objectives",
        "duration": "Duration, suspension and withdrawal",
        "commitments": "Commitments of the parties and forms of support",
        "monitoring": "Monitoring and evaluation",
        "safety": "Safety",
        "liability": "Liability and insurance",
        "disputes": "Disputes",
        "staff_support": "Support from city staff",
        "amendments": "Amendments",
        "end_of_collaboration": "End of the collaboration",
        "termination_for_breach": "Termination for breach",
        "guarantees": "Guarantees",
        "final_provisions": "Final provisions",
        "privacy": "Privacy notice",
        "signatures": "Signatures",
    },
    "it": {
        "title": "Titolo e fondamento normativo",
        "parties": "Parti",
        "recitals": "Premesse",
        "object": "Oggetto e finalità",
        "duration": "Durata, sospensione e recesso",
        "commitments": "Impegni delle parti e forme di sostegno",
        "monitoring": "Monitoraggio e valutazione",
        "safety": "Sicurezza",
        "liability": "Responsabilità e assicurazione",
        "disputes": "Controversie",
        "staff_support": "Supporto del personale comunale",
        "amendments": "Modifiche",
        "end_of_collaboration": "Cessazione della collaborazione",
        "termination_for_breach": "Risoluzione per inadempimento",
        "guarantees": "Garanzie",
        "final_provisions": "Disposizioni finali",
        "privacy": "Informativa privacy",
        "signatures": "Sottoscrizione",
    },
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

SUPPORT_WORDS = {
    "en": {
        "materials": "materials for the activities (consumables)",
        "tools": "tools and equipment on free loan",
        "training": "training for the active citizens",
        "insurance": "insurance of the active citizens against accidents and third-party liability",
        "fee_exemption": "exemption from the fees for the occupation of public land and from "
        "other local charges connected with the activities",
        "use_of_spaces": "free use of city spaces for meetings and activities",
    },
    "it": {
        "materials": "fornitura di materiali di consumo per le attività",
        "tools": "attrezzature e strumenti in comodato d'uso gratuito",
        "training": "formazione dei cittadini attivi",
        "insurance": "copertura assicurativa dei cittadini attivi contro gli infortuni e per la "
        "responsabilità civile verso terzi",
        "fee_exemption": "esenzione dal canone per l'occupazione di suolo pubblico e da altri "
        "oneri locali connessi alle attività",
        "use_of_spaces": "uso gratuito di spazi comunali per riunioni e attività",
    },
}

GROUP_KINDS = {
    "en": {
        "individual": "individual",
        "informal_group": "informal group",
        "association": "association",
        "company": "company",
        "school": "school",
    },
    "it": {
        "individual": "persona fisica",
        "informal_group": "gruppo informale",
        "association": "associazione",
        "company": "impresa",
        "school": "istituzione scolastica",
    },
}

COMMONS_KINDS = {
    "en": {
        "park": "park",
        "garden": "garden",
        "square": "square",
        "street": "street",
        "building": "building",
        "school_yard": "school yard",
        "sports_area": "sports area",
        "green_area": "green area",
        "other": "",
    },
    "it": {
        "park": "parco",
        "garden": "giardino",
        "square": "piazza",
        "street": "strada",
        "building": "edificio",
        "school_yard": "cortile scolastico",
        "sports_area": "area sportiva",
        "green_area": "area verde",
        "other": "",
    },
}

DEFAULT_REGULATION = {
    "en": "Regulation on collaboration between citizens and the city for the care and "
    "regeneration of urban commons",
    "it": "Regolamento sulla collaborazione tra cittadini e amministrazione per la cura e la "
    "rigenerazione dei beni comuni urbani",
}

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
    pact's language, not in the English of the setting's default.
    """
    default_regulation = SETTINGS["COMMONS_CITY_REGULATION"][0]
    return {
        key: config[name]
        for key, name in CONFIG_KEYS.items()
        if config.get(name) and not (key == "regulation" and config[name] == default_regulation)
    }


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
    builders = _ENGLISH if lang == "en" else _ITALIAN
    titles = SECTION_TITLES[lang]
    sections = []
    for key in facts.sections:
        title = titles.get(key) or key.replace("_", " ").capitalize()
        builder = builders.get(key)
        articles = builder(facts) if builder else [(title, _TO_COMPLETE[lang])]
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
GENERATED = (
    _Generated("object", "object", {"en": "Object", "it": "Oggetto"}, 0),
    _Generated("costs", "object", {"en": "Costs", "it": "Oneri"}, 3),
    _Generated("duration", "duration", {"en": "Duration", "it": "Durata"}, 0),
    _Generated("support", "commitments", {"en": "Forms of support", "it": "Forme di sostegno"}, 2),
    _Generated(
        "reports", "monitoring", {"en": "Periodic reports", "it": "Relazioni periodiche"}, 0
    ),
    _Generated("insurance", "liability", {"en": "Insurance", "it": "Assicurazione"}, 1),
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
    builders = _ENGLISH if lang == "en" else _ITALIAN
    sections = []
    for section in content.get("sections", []):
        slots = [g for g in GENERATED if g.section == section.get("key")]
        builder = builders.get(section.get("key"))
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
        amount = f"{terms.support_amount:,.2f}"
        if facts.lang == "it":
            amount = amount.replace(",", " ").replace(".", ",").replace(" ", ".")
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
    return f"{', '.join(items[:-1])} {'and' if lang == 'en' else 'e'} {items[-1]}"


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
    if lang == "it":
        return f"{n} {'mese' if n == 1 else 'mesi'}"
    return f"{n} {'month' if n == 1 else 'months'}"


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
    en = lang == "en"
    head = f"{a.name} ({a.kind})" if a.kind else a.name
    parts = [head]
    if a.address:
        parts.append(a.address)
    if a.area:
        parts.append(a.area)
    details = []
    if a.cadastral:
        details.append(f"{'cadastral reference' if en else 'riferimento catastale'} {a.cadastral}")
    if a.coordinates:
        details.append(f"{'coordinates' if en else 'coordinate'} {a.coordinates}")
    line = ", ".join(parts)
    if details:
        line += "; " + "; ".join(details)
    if a.part:
        line += f"; {'part covered' if en else 'parte interessata'}: {a.part}"
    return f"– {line}"


def _support_items(f: _Facts) -> list[str]:
    words = SUPPORT_WORDS[f.lang]
    return [words.get(item, item.replace("_", " ")) for item in f.support]


def _onerous_titles(f: _Facts) -> list[str]:
    titles = SECTION_TITLES[f.lang]
    left, right = ("“", "”") if f.lang == "en" else ("«", "»")
    return [f"{left}{titles[k]}{right}" for k in ONEROUS_SECTIONS if k in f.sections]


_TO_COMPLETE = {
    "en": "To be completed during co-design.",
    "it": "Da completare in sede di co-progettazione.",
}


# --- English --------------------------------------------------------------------------------


def _en_care(f: _Facts) -> str:
    if f.complex:
        return "regeneration and shared management"
    return "care"


def _en_title(f: _Facts) -> list[tuple[str, str]]:
    commons = _join([a.name for a in f.commons], "en")
    subject = f"the urban commons {commons}" if commons else "urban commons"
    first = (
        f"Collaboration pact “{f.title}” between {_city_en(f)} and {_proponent_name(f)} "
        f"for the {_en_care(f)} of {subject}."
        if f.title
        else f"Collaboration pact between {_city_en(f)} and {_proponent_name(f)} "
        f"for the {_en_care(f)} of {subject}."
    )
    basis = f"This pact is made under {_en_the(f.regulation)}"
    basis += f", {f.regulation_article}." if f.regulation_article else "."
    kind = (
        "Type of pact: complex (regeneration or continuing shared management of the commons)."
        if f.complex
        else "Type of pact: ordinary (care of the commons)."
    )
    if f.protocol:
        kind += f" Protocol number of the proposal: {f.protocol}."
    return [(SECTION_TITLES["en"]["title"], _paragraphs(first, basis, kind))]


def _en_parties(f: _Facts) -> list[tuple[str, str]]:
    text = _capitalised(_city_en(f))
    if f.city_address:
        text += f", with its seat at {f.city_address}"
    if f.city_tax_code:
        text += f", tax code {f.city_tax_code}"
    if f.office:
        text += f", acting through {_en_the(f.office)}"
    if f.signatory:
        text += f", represented by {_en_mid(f.signatory)}"
        if f.signatory_title:
            text += f", {_en_mid(f.signatory_title)}"
    elif f.signatory_title:
        text += f", represented by {_en_the(f.signatory_title)}"
    else:
        text += ", represented by the manager in charge"
    if f.signatory_power:
        text += f", who signs this pact under {f.signatory_power}"
    else:
        text += ", who signs this pact in the exercise of the powers conferred on them"
    text += " (hereinafter “the City”)."
    articles = [("The City", text)]

    if f.group_kind == "individual" or not f.group_name:
        proponent = f"{_proponent_name(f) or 'The proponent'} (hereinafter “the proponent”)."
    else:
        kind = GROUP_KINDS["en"].get(f.group_kind, f.group_kind.replace("_", " "))
        proponent = f.group_name
        if kind:
            proponent += f", {kind}"
        if f.group_tax_code:
            proponent += f", tax code {f.group_tax_code}"
        if f.group_address:
            proponent += f", with its address at {f.group_address}"
        if f.representative:
            proponent += f", represented by {f.representative}"
        proponent += (
            " (hereinafter “the proponent”; the people who take part in the activities are "
            "referred to as “active citizens”)."
        )
    articles.append(("The proponent", proponent))
    if f.members:
        articles.append(
            (
                "Members of the group",
                "The proponent acts through the following members, who take part in the "
                f"activities: {'; '.join(f.members)}.",
            )
        )
    return articles


def _en_recitals(f: _Facts) -> list[tuple[str, str]]:
    items = [
        f"{_en_the(f.regulation)} implements the principle of horizontal subsidiarity "
        "(article 118, "
        "fourth paragraph, of the Italian Constitution) and allows citizens and the City to "
        "agree, through collaboration pacts, on the care and regeneration of urban commons"
    ]
    submitted = "the proponent submitted a proposal of collaboration"
    if f.submitted_on:
        submitted = f"on {_date(f.submitted_on, 'en')} {submitted}"
    if f.protocol:
        submitted += f", registered under protocol number {f.protocol}"
    items.append(submitted)
    if f.predecessor_protocol:
        items.append(
            "the proposal renews the collaboration established by the pact with protocol "
            f"number {f.predecessor_protocol}, taking into account the results of its monitoring"
        )
    if f.opinions:
        said = []
        for o in f.opinions:
            if o.positive is None:
                when = f" on {_date(o.requested_on, 'en')}" if o.requested_on else ""
                said.append(f"{_en_the(o.department)} was asked for its opinion{when}")
            else:
                word = "positive" if o.positive else "negative"
                when = f" on {_date(o.given_on, 'en')}" if o.given_on else ""
                said.append(f"{_en_the(o.department)} gave a {word} opinion{when}")
        items.append("the following technical opinions were recorded: " + "; ".join(said))
    if f.meetings:
        dates = _join([_date(d, "en") for d in f.meetings], "en")
        word = "a co-design meeting was" if len(f.meetings) == 1 else "co-design meetings were"
        items.append(
            f"{word} held with the proponent on {dates}; the minutes are kept on "
            "the proposal's file"
        )
    else:
        items.append("the text of this pact was agreed between the parties during co-design")
    if f.complex:
        if f.deliberation_number:
            when = f" of {_date(f.deliberation_date, 'en')}" if f.deliberation_date else ""
            items.append(
                f"by deliberation no. {f.deliberation_number}{when} the City Council (Giunta) "
                "approved the collaboration, which concerns the regeneration or continuing "
                "management of the commons"
            )
        else:
            items.append(
                "being a complex pact, this pact is subject to a deliberation of the City Council "
                "(Giunta), referred to in the act that approves it"
            )
    text = _paragraphs(
        "Whereas:",
        *_lettered(items),
        "The recitals form an integral part of this pact. Now therefore the parties agree as "
        "follows.",
    )
    return [(SECTION_TITLES["en"]["recitals"], text)]


def _en_object(f: _Facts) -> list[tuple[str, str]]:
    if f.commons:
        first = (
            "This pact governs the collaboration between the City and the proponent for the "
            f"{_en_care(f)} of the following urban commons:"
        )
        obj = _paragraphs(first, "\n".join(_asset_line(a, "en") for a in f.commons))
    else:
        obj = (
            "This pact governs the collaboration between the City and the proponent for the "
            f"{_en_care(f)} of the urban commons described in the proposal."
        )
    objectives = _paragraphs(
        "The collaboration pursues the following objectives:",
        f.objectives or "those described in the proposal.",
    )
    activities = _paragraphs(
        "The proponent carries out the following activities:",
        f.activities or "those described in the proposal.",
        "The activities are carried out personally, voluntarily and free of charge, keep the "
        "commons open to public use and do not replace the services the City must provide.",
    )
    if f.support:
        costs = (
            "The costs of the activities are borne by the proponent, save for the forms of "
            "support the City provides under this pact. Works on the commons, where agreed, need "
            "the prior authorisation of the competent offices."
        )
    else:
        costs = (
            "The costs of the activities are borne by the proponent; the City bears no cost "
            "beyond its ordinary duties. Works on the commons, where agreed, need the prior "
            "authorisation of the competent offices."
        )
    return [
        ("Object", obj),
        ("Objectives", objectives),
        ("Activities", activities),
        ("Costs", costs),
    ]


def _en_duration(f: _Facts) -> list[tuple[str, str]]:
    if f.start and f.end:
        first = (
            f"This pact takes effect on {_date(f.start, 'en')} and remains in force until "
            f"{_date(f.end, 'en')}."
        )
    elif f.start and f.months:
        first = (
            f"This pact takes effect on {_date(f.start, 'en')} and lasts {_months(f.months, 'en')}."
        )
    elif f.end:
        first = (
            "This pact takes effect on the date of the last signature and remains in force "
            f"until {_date(f.end, 'en')}."
        )
    elif f.months:
        first = f"This pact lasts {_months(f.months, 'en')} from the date of the last signature."
    else:
        first = "This pact lasts for the period stated in the act that approves it."
    first = _paragraphs(
        first,
        f"Its duration cannot exceed the maximum term of {_months(f.max_term_months, 'en')} set "
        "by the regulation. The pact is not renewed tacitly.",
    )
    hours = f.suspension_hours
    suspension = (
        "For reasons of public interest, the City may suspend the activities in whole or in "
        f"part by a reasoned written notice given to the proponent at least {hours} hours in "
        "advance. The activities resume when the reasons for the suspension have ceased."
    )
    early = (
        "The City may end this pact early for supervening reasons of public interest, by a "
        "reasoned act notified to the proponent; no compensation is due."
    )
    withdrawal = (
        "The proponent may withdraw from this pact at any time by written notice given at "
        f"least {f.withdrawal_days} days in advance. Until the withdrawal takes effect the "
        "commitments of this pact remain in force; the proponent then returns the goods "
        "received and leaves the commons in good order."
    )
    return [
        ("Duration", first),
        ("Suspension", suspension),
        ("Early termination", early),
        ("Withdrawal", withdrawal),
    ]


def _en_commitments(f: _Facts) -> list[tuple[str, str]]:
    proponent = _paragraphs(
        "The proponent undertakes to:",
        *_lettered(
            [
                "carry out the activities described in this pact with care, at the agreed "
                "times and in the agreed ways",
                "comply with the law, the regulation and the safety rules of this pact",
                "keep the commons open to public use and not use it for profit",
                "inform the City promptly of any damage, danger or need for intervention "
                "noticed on the commons",
                "file the monitoring reports provided for in this pact",
                "state in any communication that the activities take place under a "
                "collaboration pact with the City",
            ]
        ),
    )
    office = _en_the(f.office) if f.office else "its offices"
    city = _paragraphs(
        "The City undertakes to:",
        *_lettered(
            [
                "provide the forms of support provided for in this pact",
                f"name a contact person for the pact in {office}",
                "make the pact and its results known to the public",
                "make easier the procedures and permits the activities need",
                "carry out the maintenance of the commons that remains its responsibility",
            ]
        ),
    )
    items = _support_items(f)
    if items:
        support = _paragraphs(
            "The City supports the collaboration with the following forms of support:",
            *_lettered(items),
        )
    elif f.support_amount:
        support = ""
    else:
        support = (
            "No form of support from the City is provided beyond the help of its staff "
            "described in this pact."
        )
    if f.support_amount:
        support = _paragraphs(
            support,
            f"The City also contributes EUR {f.support_amount} towards the costs of the "
            "activities, against the documented expenses.",
        )
    if f.support_notes:
        support = _paragraphs(support, "Further details:", f.support_notes)
    no_employment = (
        "The activities of the proponent and of the active citizens are personal, voluntary "
        "and free of charge. This pact creates no employment relationship or contract for "
        "services with the City and gives no right to any payment."
    )
    joining = (
        "Other citizens, groups or organisations may join this pact, with the City's consent, "
        "by accepting its terms in writing. The City publishes the list of those who join."
    )
    return [
        ("Commitments of the proponent", proponent),
        ("Commitments of the City", city),
        ("Forms of support", support),
        ("No employment relationship", no_employment),
        ("Joining the pact", joining),
    ]


def _en_monitoring(f: _Facts) -> list[tuple[str, str]]:
    every = "every month" if f.report_months == 1 else f"every {f.report_months} months"
    reports = (
        f"The proponent sends the City a report on the activities {every} and at the end of "
        "the collaboration: the activities carried out, the people involved, the results "
        "achieved and any problems met."
    )
    evaluation = (
        "The City evaluates the reports together with the proponent and publishes them, with "
        "the results of the collaboration, in the public register of pacts, without personal "
        "data beyond the name of the proponent's representative."
    )
    return [("Periodic reports", reports), ("Evaluation and publication", evaluation)]


def _en_safety(f: _Facts) -> list[tuple[str, str]]:
    risks = (
        "Before the activities start, the City informs the proponent of the specific risks of "
        "the site and of the measures to prevent them; the proponent assesses the risks of its "
        "activities and takes the necessary precautions."
    )
    equipment = (
        "The active citizens take part in the safety training agreed with the City and use "
        "personal protective equipment suited to the activities. Activities that need "
        "professional qualifications or special machinery are not carried out by the active "
        "citizens."
    )
    return [("Risk assessment", risks), ("Training and protective equipment", equipment)]


def _en_liability(f: _Facts) -> list[tuple[str, str]]:
    liability = (
        "The proponent answers for damage caused by its fault to people or property in the "
        "course of the activities and holds the City harmless from any claim of third parties "
        "on that account. For the time and the area of the activities, the proponent has the "
        "custody of the commons within the limits of this pact."
    )
    if "insurance" in f.support:
        insurance = (
            "The City insures the active citizens against accidents connected with the "
            "activities and against third-party liability, under its own policies, for the "
            "duration of this pact."
        )
    else:
        insurance = (
            "The proponent insures the active citizens against accidents and third-party "
            "liability, with cover suited to the activities, and sends the City a copy of the "
            "policy before the activities start."
        )
    return [("Liability", liability), ("Insurance", insurance)]


def _en_disputes(f: _Facts) -> list[tuple[str, str]]:
    text = (
        "Any dispute between the parties about this pact is first submitted to a conciliation "
        "committee of three members: one named by the proponent, one named by the City and a "
        "third agreed by the parties, who chairs it. Within 30 days of being asked, the "
        "committee makes a proposal of settlement, which is not binding on the parties. Taking "
        "part in the committee is free of charge."
    )
    return [("Conciliation", text)]


def _en_staff_support(f: _Facts) -> list[tuple[str, str]]:
    office = (
        _capitalised(_en_the(f.office))
        if f.office
        else "The office in charge of collaboration pacts"
    )
    contact = f"{office} is the City's point of contact for this pact."
    if f.case_officer:
        contact += f" The contact person is {f.case_officer}, unless the office names another."
    support = (
        "City staff support the proponent with information, technical advice and help with "
        "the procedures the activities need, as part of their ordinary duties."
    )
    return [("Contact person and support", _paragraphs(contact, support))]


def _en_amendments(f: _Facts) -> list[tuple[str, str]]:
    text = (
        "This pact may be amended only in writing and with the City's consent, through a new "
        "version of the pact agreed with the proponent and approved under the regulation."
    )
    return [("Amendments", text)]


def _en_end(f: _Facts) -> list[tuple[str, str]]:
    works = (
        "Works carried out on the commons under this pact become the property of the City "
        "when completed, without compensation to the proponent. Goods lent by the City are "
        "returned at the end of the collaboration in the condition in which they were received, "
        "save for normal wear."
    )
    site = (
        "At the end of the collaboration the proponent leaves the commons clean and in good "
        "order and, where the City asks, removes movable installations and restores the site "
        "to its previous condition, unless the City decides to keep the changes made."
    )
    renewal = (
        "This pact is not renewed automatically: the collaboration may continue only through a "
        f"new pact, which the proponent may ask for from {f.renewal_window_days} days before the "
        "end date, taking into account the results of the monitoring."
    )
    return [("Works and goods", works), ("Restoring the site", site), ("Renewal", renewal)]


def _en_breach(f: _Facts) -> list[tuple[str, str]]:
    text = (
        "If the proponent seriously or repeatedly breaches the commitments of this pact, the "
        "safety rules or the law, the City notifies the breach in writing and sets a period of "
        "not less than 15 days to remedy it. If the breach is not remedied within that period, "
        "the City may terminate the pact by a reasoned act. Where there is danger to people or "
        "property, the City may stop the activities at once."
    )
    return [("Termination for breach", text)]


def _en_guarantees(f: _Facts) -> list[tuple[str, str]]:
    text = _paragraphs(
        "This pact gives the proponent no exclusive right over the commons, which remains open "
        "to public use.",
        "The City guarantees the transparency of the collaboration, equal treatment of those "
        "who wish to take part in it and the publication of this pact and of its reports. The "
        "proponent guarantees that the activities are carried out without profit and in "
        "keeping with the public character of the commons.",
    )
    return [("Guarantees", text)]


def _en_final(f: _Facts) -> list[tuple[str, str]]:
    interpretation = (
        "In case of doubt, the clauses of this pact are interpreted in the way most favourable "
        "to civic participation and to the care of the urban commons."
    )
    reference = (
        f"For anything not provided for in this pact, {_en_the(f.regulation)} and the law apply."
    )
    publication = (
        "This pact is published in the City's public register of collaboration pacts and on "
        "its official notice board."
    )
    return [
        ("Interpretation", interpretation),
        ("Reference to the regulation", reference),
        ("Publication", publication),
    ]


def _en_privacy(f: _Facts) -> list[tuple[str, str]]:
    # Mid-sentence, after "Under article 13 ... (GDPR),": "the City of ...", not "The City".
    city = _city_en(f)
    office = _en_the(f.office) if f.office else "the office in charge of collaboration pacts"
    text = _paragraphs(
        "Under article 13 of Regulation (EU) 2016/679 (GDPR), "
        f"{city}, as data controller, informs the proponent and the active citizens that their "
        "personal data are processed only to manage this pact, in the exercise of the public "
        "tasks provided for by the regulation (article 6(1)(e) GDPR).",
        "The data are processed by authorised staff, also by electronic means, are not "
        "transferred outside the European Union and are kept for the time required by the rules "
        "on public records. The text of the pact and the name of the proponent's representative "
        "are published; other personal data are not.",
        "Data subjects may exercise the rights of articles 15 to 22 GDPR by writing to "
        f"{office} or to the City's data protection officer, and may lodge a complaint with the "
        "supervisory authority (in Italy, the Garante per la protezione dei dati personali).",
    )
    return [("Privacy notice", text)]


def _en_signatures(f: _Facts) -> list[tuple[str, str]]:
    signed = (
        "Read, approved and signed electronically by the parties. The signatures refer to the "
        "text of this version of the pact, identified by the SHA-256 fingerprint printed in "
        "this document."
    )
    clauses = _join(_onerous_titles(f), "en")
    approval = (
        "Under articles 1341 and 1342 of the Italian Civil Code, the proponent specifically "
        f"approves, with a second signature, the clauses on {clauses}."
    )
    return [("Signatures", signed), ("Specific approval of clauses", approval)]


_ENGLISH = {
    "title": _en_title,
    "parties": _en_parties,
    "recitals": _en_recitals,
    "object": _en_object,
    "duration": _en_duration,
    "commitments": _en_commitments,
    "monitoring": _en_monitoring,
    "safety": _en_safety,
    "liability": _en_liability,
    "disputes": _en_disputes,
    "staff_support": _en_staff_support,
    "amendments": _en_amendments,
    "end_of_collaboration": _en_end,
    "termination_for_breach": _en_breach,
    "guarantees": _en_guarantees,
    "final_provisions": _en_final,
    "privacy": _en_privacy,
    "signatures": _en_signatures,
}


# --- Italiano -------------------------------------------------------------------------------


def _it_care(f: _Facts) -> str:
    return "la rigenerazione e la gestione condivisa" if f.complex else "la cura"


def _it_title(f: _Facts) -> list[tuple[str, str]]:
    names = [a.name for a in f.commons]
    if len(names) > 1:
        subject = f"dei beni comuni urbani {_join(names, 'it')}"
    elif names:
        subject = f"del bene comune urbano {names[0]}"
    else:
        subject = "di beni comuni urbani"
    head = f"Patto di collaborazione «{f.title}»" if f.title else "Patto di collaborazione"
    first = f"{head} tra {_city_it(f)} e {_proponent_name(f)} per {_it_care(f)} {subject}."
    regulation = italian_preposition("di", f.regulation, "il")
    basis = f"Il presente patto è stipulato ai sensi {regulation}"
    basis += f", {f.regulation_article}." if f.regulation_article else "."
    kind = (
        "Tipologia: patto complesso (rigenerazione o gestione condivisa continuativa del bene)."
        if f.complex
        else "Tipologia: patto ordinario (interventi di cura del bene)."
    )
    if f.protocol:
        kind += f" Proposta di collaborazione registrata al protocollo n. {f.protocol}."
    return [(SECTION_TITLES["it"]["title"], _paragraphs(first, basis, kind))]


def _it_parties(f: _Facts) -> list[tuple[str, str]]:
    text = _capitalised(_city_it(f))
    if f.city_address:
        text += f", con sede {italian_preposition('in', f.city_address)}"
    if f.city_tax_code:
        text += f", C.F. {f.city_tax_code}"
    if f.office:
        text += f", per il tramite {_it_office('di', f.office, '')}"
    if f.signatory:
        text += f", rappresentato {italian_preposition('da', f.signatory)}"
        if f.signatory_title:
            text += f", {italian_preposition('', f.signatory_title)}"
    elif f.signatory_title:
        text += f", rappresentato {italian_preposition('da', f.signatory_title, 'il')}"
    else:
        text += ", rappresentato dal dirigente competente"
    if f.signatory_power:
        text += (
            ", che sottoscrive il presente patto in forza "
            f"{italian_preposition('di', f.signatory_power)}"
        )
    else:
        text += ", che sottoscrive il presente patto nell'esercizio dei poteri conferiti"
    text += " (di seguito «il Comune»)."
    articles = [("Il Comune", text)]

    if f.group_kind == "individual" or not f.group_name:
        proponent = f"{_proponent_name(f) or 'Il proponente'} (di seguito «il proponente»)."
    else:
        kind = GROUP_KINDS["it"].get(f.group_kind, f.group_kind.replace("_", " "))
        proponent = f.group_name
        if kind:
            proponent += f", {kind}"
        if f.group_tax_code:
            proponent += f", C.F. {f.group_tax_code}"
        if f.group_address:
            proponent += f", con sede {italian_preposition('in', f.group_address)}"
        if f.representative:
            proponent += f", nella persona di {f.representative}, in qualità di rappresentante"
        proponent += (
            " (di seguito «il proponente»; le persone che partecipano alle attività sono "
            "indicate come «cittadini attivi»)."
        )
    articles.append(("Il proponente", proponent))
    if f.members:
        articles.append(
            (
                "Componenti del gruppo",
                "Il proponente opera tramite i seguenti componenti, che partecipano alle "
                f"attività: {'; '.join(f.members)}.",
            )
        )
    return articles


def _it_recitals(f: _Facts) -> list[tuple[str, str]]:
    items = [
        f"{italian_preposition('', f.regulation, 'il')} dà attuazione al principio di "
        "sussidiarietà orizzontale (art. 118, "
        "quarto comma, della Costituzione) e consente a cittadini e amministrazione di "
        "concordare, mediante patti di collaborazione, la cura e la rigenerazione dei beni "
        "comuni urbani"
    ]
    submitted = "il proponente ha presentato una proposta di collaborazione"
    if f.submitted_on:
        submitted = f"in data {_date(f.submitted_on, 'it')} {submitted}"
    if f.protocol:
        submitted += f", registrata al protocollo n. {f.protocol}"
    items.append(submitted)
    if f.predecessor_protocol:
        items.append(
            "la proposta rinnova la collaborazione avviata con il patto registrato al protocollo "
            f"n. {f.predecessor_protocol}, tenuto conto degli esiti del relativo monitoraggio"
        )
    if f.opinions:
        said = []
        for o in f.opinions:
            if o.positive is None:
                when = f" in data {_date(o.requested_on, 'it')}" if o.requested_on else ""
                asked = (
                    italian_preposition("di", o.department)
                    if _it_split_article(o.department)[0]
                    else f"di: {o.department}"
                )
                said.append(f"è stato richiesto il parere {asked}{when}")
            else:
                word = "favorevole" if o.positive else "non favorevole"
                when = f" in data {_date(o.given_on, 'it')}" if o.given_on else ""
                said.append(f"{italian_preposition('', o.department)}: parere {word}{when}")
        items.append("sono stati acquisiti i seguenti pareri tecnici: " + "; ".join(said))
    if f.meetings:
        dates = _join([_date(d, "it") for d in f.meetings], "it")
        if len(f.meetings) == 1:
            items.append(
                f"in data {dates} si è svolto con il proponente un incontro di co-progettazione, "
                "il cui verbale è conservato agli atti del procedimento"
            )
        else:
            items.append(
                f"nelle date {dates} si sono svolti con il proponente incontri di "
                "co-progettazione, i cui verbali sono conservati agli atti del procedimento"
            )
    else:
        items.append(
            "il testo del presente patto è stato concordato tra le parti in sede di "
            "co-progettazione"
        )
    if f.complex:
        if f.deliberation_number:
            when = f" del {_date(f.deliberation_date, 'it')}" if f.deliberation_date else ""
            items.append(
                f"con deliberazione della Giunta comunale n. {f.deliberation_number}{when} è "
                "stata approvata la collaborazione, che riguarda la rigenerazione o la gestione "
                "continuativa del bene"
            )
        else:
            items.append(
                "trattandosi di patto complesso, la collaborazione è subordinata alla "
                "deliberazione della Giunta comunale richiamata nell'atto di approvazione"
            )
    text = _paragraphs(
        "Premesso che:",
        *_lettered(items),
        "Le premesse costituiscono parte integrante e sostanziale del presente patto. Tutto ciò "
        "premesso, le parti convengono e stipulano quanto segue.",
    )
    return [(SECTION_TITLES["it"]["recitals"], text)]


def _it_object(f: _Facts) -> list[tuple[str, str]]:
    if f.commons:
        word = (
            "dei seguenti beni comuni urbani"
            if len(f.commons) > 1
            else ("del seguente bene comune urbano")
        )
        first = (
            "Il presente patto disciplina la collaborazione tra il Comune e il proponente per "
            f"{_it_care(f)} {word}:"
        )
        obj = _paragraphs(first, "\n".join(_asset_line(a, "it") for a in f.commons))
    else:
        obj = (
            "Il presente patto disciplina la collaborazione tra il Comune e il proponente per "
            f"{_it_care(f)} dei beni comuni urbani descritti nella proposta."
        )
    objectives = _paragraphs(
        "La collaborazione persegue le seguenti finalità:",
        f.objectives or "quelle descritte nella proposta.",
    )
    activities = _paragraphs(
        "Il proponente svolge le seguenti attività:",
        f.activities or "quelle descritte nella proposta.",
        "Le attività sono svolte in modo personale, spontaneo e gratuito, garantiscono la "
        "fruizione collettiva del bene e non sostituiscono i servizi che il Comune è tenuto a "
        "erogare.",
    )
    if f.support:
        costs = (
            "Gli oneri delle attività sono a carico del proponente, fatte salve le forme di "
            "sostegno che il Comune assicura ai sensi del presente patto. Gli eventuali "
            "interventi sul bene richiedono la preventiva autorizzazione degli uffici competenti."
        )
    else:
        costs = (
            "Gli oneri delle attività sono a carico del proponente; il Comune non sostiene costi "
            "ulteriori rispetto ai propri compiti ordinari. Gli eventuali interventi sul bene "
            "richiedono la preventiva autorizzazione degli uffici competenti."
        )
    return [
        ("Oggetto", obj),
        ("Finalità", objectives),
        ("Attività", activities),
        ("Oneri", costs),
    ]


def _it_duration(f: _Facts) -> list[tuple[str, str]]:
    if f.start and f.end:
        first = (
            f"Il presente patto ha efficacia dal {_date(f.start, 'it')} al {_date(f.end, 'it')}."
        )
    elif f.start and f.months:
        first = (
            f"Il presente patto ha efficacia dal {_date(f.start, 'it')} e durata di "
            f"{_months(f.months, 'it')}."
        )
    elif f.end:
        first = (
            "Il presente patto ha efficacia dalla data dell'ultima sottoscrizione al "
            f"{_date(f.end, 'it')}."
        )
    elif f.months:
        first = (
            f"Il presente patto ha durata di {_months(f.months, 'it')} dalla data dell'ultima "
            "sottoscrizione."
        )
    else:
        first = "Il presente patto ha la durata indicata nell'atto di approvazione."
    first = _paragraphs(
        first,
        "La durata non può superare il termine massimo di "
        f"{_months(f.max_term_months, 'it')} previsto dal regolamento. È escluso il rinnovo "
        "tacito.",
    )
    suspension = (
        "Per motivi di interesse pubblico il Comune può sospendere, in tutto o in parte, le "
        "attività con comunicazione scritta e motivata al proponente, con un preavviso di "
        f"almeno {f.suspension_hours} ore. Le attività riprendono al venir meno delle cause della "
        "sospensione."
    )
    early = (
        "Il Comune può disporre la cessazione anticipata del patto per sopravvenuti motivi di "
        "interesse pubblico, con provvedimento motivato comunicato al proponente, senza che sia "
        "dovuto alcun indennizzo."
    )
    withdrawal = (
        "Il proponente può recedere dal patto in qualsiasi momento, con comunicazione scritta e "
        f"un preavviso di almeno {f.withdrawal_days} giorni. Fino alla data di efficacia del "
        "recesso restano fermi gli impegni del presente patto; il proponente restituisce i beni "
        "ricevuti e lascia il bene in buono stato."
    )
    return [
        ("Durata", first),
        ("Sospensione", suspension),
        ("Cessazione anticipata", early),
        ("Recesso", withdrawal),
    ]


def _it_commitments(f: _Facts) -> list[tuple[str, str]]:
    proponent = _paragraphs(
        "Il proponente si impegna a:",
        *_lettered(
            [
                "svolgere con cura le attività descritte nel presente patto, nei tempi e nei "
                "modi concordati",
                "rispettare la legge, il regolamento e le regole di sicurezza del presente patto",
                "garantire la fruizione collettiva del bene e non farne uso a scopo di lucro",
                "segnalare tempestivamente al Comune danni, pericoli o necessità di intervento "
                "riscontrati sul bene",
                "presentare le relazioni di monitoraggio previste dal presente patto",
                "indicare in ogni comunicazione che le attività si svolgono nell'ambito di un "
                "patto di collaborazione con il Comune",
            ]
        ),
    )
    office = _it_office("presso", f.office, "i propri uffici")
    city = _paragraphs(
        "Il Comune si impegna a:",
        *_lettered(
            [
                "assicurare le forme di sostegno previste dal presente patto",
                f"individuare un referente del patto {office}",
                "dare pubblicità al patto e ai suoi risultati",
                "agevolare le procedure e le autorizzazioni necessarie alle attività",
                "provvedere alla manutenzione del bene che resta di sua competenza",
            ]
        ),
    )
    items = _support_items(f)
    if items:
        support = _paragraphs(
            "Il Comune sostiene la collaborazione con le seguenti forme di sostegno:",
            *_lettered(items),
        )
    elif f.support_amount:
        support = ""
    else:
        support = (
            "Non sono previste forme di sostegno da parte del Comune ulteriori rispetto al "
            "supporto del personale comunale previsto dal presente patto."
        )
    if f.support_amount:
        support = _paragraphs(
            support,
            f"Il Comune contribuisce inoltre con euro {f.support_amount} agli oneri delle "
            "attività, a fronte delle spese documentate.",
        )
    if f.support_notes:
        support = _paragraphs(support, "Ulteriori specificazioni:", f.support_notes)
    no_employment = (
        "Le attività del proponente e dei cittadini attivi hanno carattere personale, spontaneo "
        "e gratuito. Il presente patto non determina l'instaurazione di alcun rapporto di lavoro "
        "o di prestazione d'opera con il Comune e non dà diritto ad alcun compenso."
    )
    joining = (
        "Altri cittadini, gruppi o enti possono aderire al presente patto, previo assenso del "
        "Comune, accettandone per iscritto il contenuto. Il Comune rende pubblico l'elenco degli "
        "aderenti."
    )
    return [
        ("Impegni del proponente", proponent),
        ("Impegni del Comune", city),
        ("Forme di sostegno", support),
        ("Assenza di rapporto di lavoro", no_employment),
        ("Adesione di altri soggetti", joining),
    ]


def _it_monitoring(f: _Facts) -> list[tuple[str, str]]:
    every = "ogni mese" if f.report_months == 1 else f"ogni {f.report_months} mesi"
    reports = (
        f"Il proponente trasmette al Comune, {every} e al termine della collaborazione, una "
        "relazione sulle attività svolte, sulle persone coinvolte, sui risultati raggiunti e "
        "sulle eventuali criticità."
    )
    evaluation = (
        "Il Comune valuta le relazioni insieme al proponente e le pubblica, con i risultati "
        "della collaborazione, nel registro pubblico dei patti, senza dati personali ulteriori "
        "rispetto al nome del rappresentante del proponente."
    )
    return [("Relazioni periodiche", reports), ("Valutazione e pubblicazione", evaluation)]


def _it_safety(f: _Facts) -> list[tuple[str, str]]:
    risks = (
        "Prima dell'avvio delle attività il Comune informa il proponente sui rischi specifici "
        "presenti nel luogo e sulle misure di prevenzione; il proponente valuta i rischi delle "
        "proprie attività e adotta le cautele necessarie."
    )
    equipment = (
        "I cittadini attivi partecipano alla formazione sulla sicurezza concordata con il Comune "
        "e utilizzano dispositivi di protezione individuale adeguati alle attività. Le attività "
        "che richiedono particolari abilitazioni professionali o l'uso di macchinari specifici "
        "non sono svolte dai cittadini attivi."
    )
    return [
        ("Analisi dei rischi", risks),
        ("Formazione e dispositivi di protezione", equipment),
    ]


def _it_liability(f: _Facts) -> list[tuple[str, str]]:
    liability = (
        "Il proponente risponde dei danni cagionati per propria colpa a persone o cose "
        "nell'esercizio delle attività e tiene indenne il Comune da ogni pretesa di terzi a tale "
        "titolo. Per il tempo e nell'area delle attività il proponente assume la custodia del "
        "bene nei limiti del presente patto."
    )
    if "insurance" in f.support:
        insurance = (
            "Il Comune assicura i cittadini attivi contro gli infortuni connessi alle attività e "
            "per la responsabilità civile verso terzi, mediante le proprie polizze, per la "
            "durata del presente patto."
        )
    else:
        insurance = (
            "Il proponente assicura i cittadini attivi contro gli infortuni e per la "
            "responsabilità civile verso terzi, con coperture adeguate alle attività, e ne "
            "trasmette copia al Comune prima dell'avvio delle attività."
        )
    return [("Responsabilità", liability), ("Assicurazione", insurance)]


def _it_disputes(f: _Facts) -> list[tuple[str, str]]:
    text = (
        "Le controversie tra le parti relative al presente patto sono sottoposte a un tentativo "
        "di conciliazione davanti a un comitato di tre componenti: uno designato dal proponente, "
        "uno dal Comune e un terzo di comune accordo, con funzioni di presidente. Il comitato "
        "formula entro 30 giorni dalla richiesta una proposta di accordo non vincolante per le "
        "parti. La partecipazione al comitato è gratuita."
    )
    return [("Tentativo di conciliazione", text)]


def _it_staff_support(f: _Facts) -> list[tuple[str, str]]:
    office = _capitalised(_it_office("", f.office, "l'ufficio competente per i patti"))
    contact = f"{office} è il riferimento del Comune per il presente patto."
    if f.case_officer:
        contact += f" Il referente è {f.case_officer}, salvo diversa indicazione dell'ufficio."
    support = (
        "Il personale comunale supporta il proponente con informazioni, consulenza tecnica e "
        "assistenza nelle procedure necessarie alle attività, nell'ambito dei propri compiti "
        "ordinari."
    )
    return [("Referente e supporto", _paragraphs(contact, support))]


def _it_amendments(f: _Facts) -> list[tuple[str, str]]:
    text = (
        "Il presente patto può essere modificato solo per iscritto e con il consenso del "
        "Comune, mediante una nuova versione del patto concordata con il proponente e approvata "
        "secondo il regolamento."
    )
    return [("Modifiche al patto", text)]


def _it_end(f: _Facts) -> list[tuple[str, str]]:
    works = (
        "Le opere realizzate sul bene in esecuzione del presente patto restano acquisite alla "
        "proprietà del Comune, senza alcun indennizzo per il proponente. I beni ricevuti in "
        "comodato sono restituiti al termine della collaborazione nello stato in cui sono stati "
        "consegnati, salvo il normale deterioramento d'uso."
    )
    site = (
        "Al termine della collaborazione il proponente lascia il bene pulito e in buono stato e, "
        "su richiesta del Comune, rimuove le installazioni mobili e ripristina lo stato dei "
        "luoghi, salvo che il Comune decida di mantenere le modifiche apportate."
    )
    renewal = (
        "Il presente patto non si rinnova automaticamente: la collaborazione può proseguire "
        "solo mediante un nuovo patto, che il proponente può chiedere a partire da "
        f"{f.renewal_window_days} giorni prima della scadenza, tenuto conto degli esiti del "
        "monitoraggio."
    )
    return [
        ("Opere e beni", works),
        ("Ripristino dei luoghi", site),
        ("Rinnovo", renewal),
    ]


def _it_breach(f: _Facts) -> list[tuple[str, str]]:
    text = (
        "In caso di grave o ripetuto inadempimento degli impegni del presente patto, delle "
        "regole di sicurezza o della legge, il Comune contesta per iscritto l'inadempimento e "
        "assegna un termine non inferiore a 15 giorni per porvi rimedio. Decorso inutilmente "
        "tale termine, il Comune può dichiarare risolto il patto con provvedimento motivato. In "
        "caso di pericolo per persone o cose il Comune può sospendere immediatamente le "
        "attività."
    )
    return [("Risoluzione", text)]


def _it_guarantees(f: _Facts) -> list[tuple[str, str]]:
    text = _paragraphs(
        "Il presente patto non attribuisce al proponente alcun diritto esclusivo sul bene, che "
        "resta destinato alla fruizione collettiva.",
        "Il Comune garantisce la trasparenza della collaborazione, la parità di trattamento di "
        "quanti intendono parteciparvi e la pubblicazione del patto e delle relazioni. Il "
        "proponente garantisce che le attività sono svolte senza scopo di lucro e nel rispetto "
        "della natura pubblica del bene.",
    )
    return [("Garanzie", text)]


def _it_final(f: _Facts) -> list[tuple[str, str]]:
    interpretation = (
        "In caso di dubbio, le clausole del presente patto sono interpretate nel senso più "
        "favorevole alla partecipazione civica e alla cura dei beni comuni urbani."
    )
    reference = (
        "Per quanto non previsto dal presente patto si rinvia "
        f"{italian_preposition('a', f.regulation, 'il')} e alla legge."
    )
    publication = (
        "Il presente patto è pubblicato nel registro pubblico dei patti di collaborazione e "
        "all'albo pretorio del Comune."
    )
    return [
        ("Clausola interpretativa", interpretation),
        ("Rinvio", reference),
        ("Pubblicazione", publication),
    ]


def _it_privacy(f: _Facts) -> list[tuple[str, str]]:
    # Mid-sentence, after "Ai sensi dell'art. 13 ... (GDPR),": "il Comune di ...", not "Il".
    city = _city_it(f)
    office = _it_office("a", f.office, "l'ufficio competente per i patti")
    text = _paragraphs(
        "Ai sensi dell'art. 13 del Regolamento (UE) 2016/679 (GDPR), "
        f"{city}, in qualità di titolare del trattamento, informa il proponente e i cittadini "
        "attivi che i loro dati personali sono trattati esclusivamente per la gestione del "
        "presente patto, nell'esecuzione dei compiti di interesse pubblico previsti dal "
        "regolamento (art. 6, par. 1, lett. e, GDPR).",
        "I dati sono trattati da personale autorizzato, anche con strumenti elettronici, non "
        "sono trasferiti fuori dall'Unione europea e sono conservati per il tempo previsto dalla "
        "normativa sugli archivi pubblici. Sono pubblicati il testo del patto e il nome del "
        "rappresentante del proponente; gli altri dati personali non sono pubblicati.",
        "Gli interessati possono esercitare i diritti di cui agli artt. 15-22 GDPR scrivendo "
        f"{office} o al responsabile della "
        "protezione dei dati del Comune, e proporre reclamo al Garante per la protezione dei "
        "dati personali.",
    )
    return [("Informativa sul trattamento dei dati personali", text)]


def _it_signatures(f: _Facts) -> list[tuple[str, str]]:
    signed = (
        "Letto, confermato e sottoscritto con firma elettronica dalle parti. Le firme si "
        "riferiscono al testo della presente versione del patto, identificato dall'impronta "
        "SHA-256 riportata nel documento."
    )
    clauses = _join(_onerous_titles(f), "it")
    approval = (
        "Ai sensi e per gli effetti degli artt. 1341 e 1342 del Codice civile, il proponente "
        f"approva specificamente, con seconda sottoscrizione, le clausole relative a: {clauses}."
    )
    return [("Sottoscrizione", signed), ("Approvazione specifica delle clausole", approval)]


_ITALIAN = {
    "title": _it_title,
    "parties": _it_parties,
    "recitals": _it_recitals,
    "object": _it_object,
    "duration": _it_duration,
    "commitments": _it_commitments,
    "monitoring": _it_monitoring,
    "safety": _it_safety,
    "liability": _it_liability,
    "disputes": _it_disputes,
    "staff_support": _it_staff_support,
    "amendments": _it_amendments,
    "end_of_collaboration": _it_end,
    "termination_for_breach": _it_breach,
    "guarantees": _it_guarantees,
    "final_provisions": _it_final,
    "privacy": _it_privacy,
    "signatures": _it_signatures,
}
