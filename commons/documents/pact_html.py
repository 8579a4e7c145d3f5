"""The pact document's HTML: the frozen text, the acts, the annexes and the verification box,
from ``templates/pacts/pact.html`` (the PDF is made from it by :mod:`commons.documents.rendering`).

User-written text is plain text, kept as typed and escaped on output (see the docstring of
:mod:`commons.documents.rendering`).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
import segno
from markupsafe import Markup

from commons.config import PROJECT_ROOT
from commons.documents.clauses import ONEROUS_SECTIONS, format_date, normalise_language
from commons.documents.pact_labels import LABELS
from commons.formatting import day_text, moment_text
from commons.inputs import show_bidi_controls
from workflows.canonical import canonical_json

TEMPLATES_DIR = PROJECT_ROOT / "templates"
TEMPLATE = "pacts/pact.html"
KINDS = ("final", "draft")

# Sections printed before the numbered articles, as in real pacts: the title, the parties
# (a table) and the recitals ("Premesse") carry no article number.
UNNUMBERED_SECTIONS = frozenset({"title", "parties", "recitals"})


# --- the content's hash ---------------------------------------------------------------------------
def content_sha256(content: dict) -> str:
    """SHA-256 (hex) of the canonical JSON, as ``workflows.guards.content_hash`` computes it."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


# --- sanitising -------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value) -> str:
    """User text as plain text, kept as typed: control characters removed, line ends unified.

    Nothing is taken as markup: "a < b", "AT&T", "costs <under> 50 EUR" and "<nome>" stay as
    typed; the templates escape them.
    """
    if value is None:
        return ""
    return _CONTROL.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")


def shown_text(value) -> str:
    """Text as the document prints it: each bidi control as a visible marker ("[U+202E]").

    The stored (and hashed) text keeps the character; the document shows that it is there
    instead of letting it turn the text around it.
    """
    return show_bidi_controls(plain_text(value))


def _line(value) -> str:
    return " ".join(shown_text(value).split())


_ITEM = re.compile(r"^[a-z]\) ")


def _paragraphs(text) -> list[dict]:
    """Paragraphs split at blank lines, each a list of lines; "a) ..." paragraphs are items."""
    out = []
    for block in re.split(r"\n\s*\n", shown_text(text).strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            out.append({"lines": lines, "item": bool(_ITEM.match(lines[0]))})
    return out


# --- the HTML ---------------------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _utc(value, what: str = "meta['approved_at']") -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise ValueError(
            f"{what} is required: the document's dates must be fixed for reproducible output"
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _format_date(value: datetime, lang: str, zone: ZoneInfo, *, time: bool = False) -> str:
    """The day (or day and time, labelled with the zone) in the city, in the document's
    language: the same format as the pages (commons.formatting)."""
    if time:
        return moment_text(value, lang, zone)
    return day_text(value, lang, zone)


def _day(value, what: str) -> date | None:
    """A date given as a date, a datetime (its day) or an ISO string; None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"{what} is not a date: {value!r}") from None


def _acts(meta: dict, lang: str) -> dict:
    """The approving decision and the council's deliberation, as the document prints them."""
    labels = LABELS[lang]
    acts = dict(meta.get("acts") or {})
    out = {"decision": "", "decision_date": None, "recitals": []}

    def when(key: str) -> tuple[date | None, str]:
        day = _day(acts.get(key), f"meta['acts'][{key!r}]")
        return day, labels["act_date"].format(date=format_date(day, lang)) if day else ""

    deliberation = _line(acts.get("deliberation_number"))
    if deliberation:
        _, text = when("deliberation_date")
        out["recitals"].append(
            labels["recital_deliberation"].format(number=deliberation, when=text)
        )
    decision = _line(acts.get("decision_number"))
    if decision:
        day, text = when("decision_date")
        out["decision"] = labels["decision"].format(number=decision, when=text)
        out["decision_date"] = day
        out["recitals"].append(labels["recital_decision"].format(number=decision, when=text))
    return out


def _annexes(meta: dict, lang: str) -> list[dict]:
    """Each annex as a title, a file name and a SHA-256 (a plain string is a title alone)."""
    labels = LABELS[lang]
    out = []
    for annex in meta.get("annexes") or []:
        if not isinstance(annex, dict):
            title = _line(annex)
            if title:
                out.append({"title": title, "name": "", "sha256": ""})
            continue
        kind = _line(annex.get("kind"))
        day = _day(annex.get("date"), "an annex's date")
        if kind in ("minutes", "minutes_text") and day:
            title = labels[f"{kind}_of"].format(date=format_date(day, lang))
        else:
            title = labels["annex_kinds"].get(kind) or kind.replace("_", " ")
        name = _line(annex.get("name"))
        digest = _line(annex.get("sha256")).lower()
        if title or name:
            out.append({"title": title or name, "name": name, "sha256": digest})
    return out


def _qr_svg(url: str) -> Markup:
    """The verification address as an inline SVG QR code: drawn here, nothing to fetch."""
    # A fixed mask: segno would otherwise try all eight (most of the QR cost).
    qr = segno.make(url or "-", error="m", micro=False, mask=0)
    svg = qr.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff")
    # The SVG holds segno's path data and sizes only, never the URL's characters.
    return Markup(svg)  # noqa: S704 - markup generated here, not user input


def _slug(value) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", str(value).lower()).strip("-") or "section"


def _context(version_content: dict, meta: dict, lang: str, kind: str) -> dict:
    labels = LABELS[lang]
    city = dict(meta.get("city") or {})
    pact = dict(meta.get("pact") or {})
    proponent = dict(meta.get("proponent") or {})
    zone = ZoneInfo(_line(city.get("timezone") or meta.get("timezone")) or "Europe/Rome")
    approved = _utc(meta.get("approved_at"))
    digest = content_sha256(version_content)
    given = _line(meta.get("content_sha256")).lower()
    if given and given != digest:
        raise ValueError(
            f"meta['content_sha256'] ({given}) is not the hash of the content ({digest})"
        )

    sections = []
    seen: set[str] = set()
    for section in version_content.get("sections") or []:
        key = _slug(section.get("key", ""))
        anchor = key
        while anchor in seen:
            anchor += "-x"
        seen.add(anchor)
        articles = [
            {
                "id": f"art-{anchor}-{i}",
                "title": _line(article.get("title")),
                "paragraphs": _paragraphs(article.get("text")),
            }
            for i, article in enumerate(section.get("articles") or [], start=1)
        ]
        sections.append(
            {
                "key": key,
                "anchor": anchor,
                "title": _line(section.get("title")) or key.replace("_", " ").capitalize(),
                "numbered": key not in UNNUMBERED_SECTIONS,
                "articles": articles,
            }
        )
    # Arts. 1341-1342 of the civil code want each onerous clause named: every article of the
    # onerous sections, by its number (from the stylesheet's counter) and its title.
    onerous = [
        {"href": f"#{article['id']}", "title": article["title"], "section": s["title"]}
        for key in ONEROUS_SECTIONS
        for s in sections
        if s["key"] == key and s["numbered"]
        for article in s["articles"]
    ]
    acts = _acts(meta, lang)

    signatures = []
    for signature in meta.get("signatures") or []:
        role = _line(signature.get("role"))
        signed_at = signature.get("signed_at")
        signatures.append(
            {
                "name": _line(signature.get("name")),
                "role": role,
                "role_label": labels.get(role, role)
                if role in ("representative", "legal")
                else role,
                "signed_at": _format_date(_utc(signed_at, "signed_at"), lang, zone, time=True)
                if signed_at
                else "",
                "document_hash": _line(signature.get("document_hash")),
            }
        )
    by_role = {s["role"]: s for s in signatures}

    pact_type = _line(pact.get("pact_type"))
    city_name = _line(city.get("name"))
    protocol = _line(pact.get("protocol_number"))
    version = _line(pact.get("version"))
    reference = " · ".join(
        part
        for part in (
            f"{labels['reference']} {protocol}" if protocol else "",
            f"{labels['version']} {version}" if version else "",
        )
        if part
    )
    proponent_name = _line(proponent.get("name"))
    subject = labels["subject"].format(protocol=protocol, city=city_name, proponent=proponent_name)
    keywords = [labels["keywords"]]
    if protocol:
        keywords.append(protocol)
    profile_title = _line(pact.get("profile_title"))
    if profile_title:
        keywords.append(profile_title)
    logo = _line(city.get("logo_path"))
    office = _line(city.get("office"))
    signatory_title = _line(city.get("signatory_title")) or labels["legal"]
    verification_url = _line(meta.get("verification_url"))
    return {
        "lang": lang,
        "kind": kind,
        "t": labels,
        "city": {
            "name": city_name,
            "office": office,
            "signatory": _line(city.get("signatory")),
            "signatory_title": signatory_title,
            # The office is not repeated under a title that names it already.
            "signatory_office": ""
            if office and office.lower() in signatory_title.lower()
            else office,
            "logo": logo,
        },
        "pact": {
            "title": _line(pact.get("title")),
            "protocol_number": protocol,
            "pact_type": labels.get(pact_type, pact_type) if pact_type else "",
            "version": version,
            "profile_title": profile_title,
        },
        "proponent": {
            "name": proponent_name,
            "representative": _line(proponent.get("representative")),
        },
        "reference": reference,
        # A final document was approved on the day of its approving act, whenever issued.
        "approved_on": format_date(acts["decision_date"], lang)
        if kind == "final" and acts["decision_date"]
        else _format_date(approved, lang, zone),
        "decision": acts["decision"] if kind == "final" else "",
        "act_recitals": acts["recitals"],
        "has_recitals": any(s["key"] == "recitals" for s in sections),
        "created_w3c": approved.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "subject": " ".join(subject.split()),
        "keywords": ", ".join(keywords),
        "content_sha256": digest,
        "verification_url": verification_url,
        # Only a web address becomes a link (a javascript: or file: URL stays text).
        "verification_href": verification_url
        if urlsplit(verification_url).scheme in ("http", "https")
        else "",
        "qr_svg": _qr_svg(verification_url),
        "sections": sections,
        "onerous": onerous,
        "signatures": signatures,
        "signed_by": by_role,
        "annexes": _annexes(meta, lang),
    }


def render_pact_html(
    version_content: dict, meta: dict, language: str, *, kind: str = "final"
) -> str:
    """The pact document as a self-contained HTML page (the stylesheet is inline).

    Relative URLs in it (fonts, logo) are relative to the app's static directory.
    """
    return _document_html(version_content, meta, language, kind, inline_style=True)


def _document_html(
    version_content: dict, meta: dict, language: str, kind: str, *, inline_style: bool
) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; known: {KINDS}")
    lang = normalise_language(language)
    context = _context(version_content, meta, lang, kind)
    return _environment().get_template(TEMPLATE).render(inline_style=inline_style, **context)
