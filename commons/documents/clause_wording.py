"""How the pact's clauses word the facts, per language: dates, lists, months, the city and the
proponent, Italian's articles fused with prepositions."""

from __future__ import annotations

import re
from datetime import date

from commons.documents.clause_facts import _Asset, _Facts
from commons.documents.clause_words import ONEROUS_SECTIONS, SECTION_TITLES, SUPPORT_WORDS, WORDS
from commons.formatting import day_text


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
