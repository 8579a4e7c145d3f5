"""The pact document: a frozen pact version and the city's settings, rendered to HTML and PDF.

Rendering is a pure function (DESIGN.md, "Documents"): the same content, meta and language give
the same bytes, in any process, on any day. Nothing is read from the clock, the request or the
network:

- the dates printed and written to the PDF metadata are ``meta["approved_at"]``;
- the PDF file identifier is derived from the content hash, not drawn at random;
- the pact's canonical JSON is attached (PDF/A-3 associated file, relationship ``Source``) and
  its SHA-256, the pact version's ``content_hash``, is printed on the first page next to a QR
  code of the verification address, generated here;
- fonts are the DejaVu files vendored in ``commons/static/fonts`` and embedded (subset);
  the print stylesheet ``templates/pacts/pact.css`` and its fonts are parsed once per process
  and reused (``shared_style``), which changes nothing in the output;
- the only URL fetcher is ``StaticFilesFetcher``: it serves regular files inside
  ``commons/static`` and refuses everything else (other paths, ``file://`` outside, http(s),
  data:), recording every attempt.

User-written text (titles, article texts, names) is plain text, kept as typed: nothing in it is
markup, so nothing is stripped ("costs <under> 50 EUR" and a ``<nome>`` placeholder print as
typed) and Jinja's autoescape escapes every character, so it can neither fetch nor run anything.
Characters that reorder the text around them (the bidi embeddings, overrides, isolates and
marks, ``commons.inputs.BIDI_CONTROLS``) are printed as visible markers such as ``[U+202E]``:
a signed document shows its text in the order it was stored (``gnp.exe`` with a right-to-left
override never reads "exe.png").

``meta`` keys (only ``approved_at`` is required)::

    city: {name, office, signatory, signatory_title, logo_path (relative to commons/static),
           timezone}
    pact: {title, protocol_number, pact_type, version, profile_title}
    proponent: {name, representative}          names for the blank signature blocks
    verification_url: "https://commons.example/verify?sha256=..."
    approved_at: datetime                      when this document was issued (approval, last
                                               signature; for a draft: the version's time)
    acts: {decision_number, decision_date,     the acts recorded on the proposal: the approving
           deliberation_number,                directorial decision and, for complex pacts, the
           deliberation_date}                  council's deliberation (dates or ISO strings)
    content_sha256: hex                        checked against the content's own hash
    annexes: [{kind, name, sha256, date}]      files on the proposal's record (a plain string
                                               is an annex named by that string alone)
    signatures: [{name, role ("representative" | "legal"), signed_at, document_hash}]

The acts are printed from ``meta``, not from the frozen text: the decision is taken at
approval, after the text was agreed and frozen. "Approved on" is the decision's date.
"""

from __future__ import annotations

import atexit
import hashlib
import re
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
import pydyf
import segno
from markupsafe import Markup

from commons.config import PROJECT_ROOT
from commons.documents.clauses import ONEROUS_SECTIONS, format_date, normalise_language
from commons.formatting import day_text, moment_text
from commons.inputs import show_bidi_controls
from workflows.canonical import canonical_json  # also this module's name for it

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from commons.documents.fetcher import StaticFilesFetcher

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
TEMPLATE = "pacts/pact.html"
STYLESHEET = "pacts/pact.css"
KINDS = ("final", "draft")
PDF_VARIANT = "pdf/a-3b"
ATTACHMENT_NAME = "pact.json"

# Sections printed before the numbered articles, as in real pacts: the title, the parties
# (a table) and the recitals ("Premesse") carry no article number.
UNNUMBERED_SECTIONS = frozenset({"title", "parties", "recitals"})

LABELS = {
    "en": {
        "pact": "Collaboration pact",
        "protocol": "Protocol no.",
        "reference": "Prot. no.",
        "version": "Version",
        "pact_type": "Type",
        "ordinary": "ordinary",
        "complex": "complex",
        "profile": "Regulation profile",
        "approved_at": "Approved on",
        "approving_act": "Approving act",
        "decision": "Directorial decision no. {number}{when}",
        "act_date": " of {date}",
        "recital_deliberation": "Having regard to the deliberation of the City Council (Giunta) "
        "no. {number}{when}, which approved the collaboration;",
        "recital_decision": "Having regard to the directorial decision no. {number}{when}, "
        "which approves this pact;",
        "draft_of": "Draft of",
        "page": "Page",
        "of": "of",
        "between": "Between",
        "and": "and",
        "for_city": "For the City",
        "for_proponent": "For the proponent",
        "representative": "Representative of the proponent",
        "legal": "Signing manager for the City",
        "signed_on": "Signed electronically on",
        "signed_hash": "Signed document (SHA-256)",
        "signature": "Signature",
        "onerous_title": "Specific approval of onerous clauses",
        "onerous_text": "Under articles 1341 and 1342 of the Italian Civil Code, the proponent "
        "specifically approves the clauses of the following articles:",
        "annexes": "Annexes",
        "no_annexes": "No annexes.",
        "annexes_text": "The following files are on the record of the proposal; each is "
        "identified by its SHA-256 fingerprint.",
        "annex_kinds": {
            "statute": "Statute or founding act of the proponent",
            "photo": "Photo of the place",
            "plan": "Plan or drawing",
            "integration": "Document sent with an answer to a request for integration",
            "minutes": "Minutes of the co-design meeting",
            "minutes_text": "Minutes of the co-design meeting",
        },
        "minutes_of": "Minutes of the co-design meeting of {date}",
        "minutes_text_of": "Minutes of the co-design meeting of {date}, recorded in the "
        "register of the proposal",
        "file": "file",
        "verification": "Verification",
        "verify_text": "Scan the code or open the address below to check that this document "
        "is authentic and unchanged.",
        "sha256": "SHA-256 of the pact text (attached file pact.json)",
        "attachment": "Canonical JSON text of version {version} of the pact, from which this "
        "document is rendered",
        "draft": "DRAFT",
        "draft_notice": "Draft: not valid for signature",
        "subject": "Collaboration pact {protocol} between {city} and {proponent}",
        "keywords": "collaboration pact, urban commons",
    },
    "it": {
        "pact": "Patto di collaborazione",
        "protocol": "Protocollo n.",
        "reference": "Prot. n.",
        "version": "Versione",
        "pact_type": "Tipologia",
        "ordinary": "ordinario",
        "complex": "complesso",
        "profile": "Profilo regolamentare",
        "approved_at": "Approvato il",
        "approving_act": "Atto di approvazione",
        "decision": "Determinazione dirigenziale n. {number}{when}",
        "act_date": " del {date}",
        "recital_deliberation": "Vista la deliberazione della Giunta comunale n. {number}{when}, "
        "con la quale è stata approvata la collaborazione;",
        "recital_decision": "Vista la determinazione dirigenziale n. {number}{when}, con la "
        "quale è approvato il presente patto;",
        "draft_of": "Bozza del",
        "page": "Pagina",
        "of": "di",
        "between": "Tra",
        "and": "e",
        "for_city": "Per il Comune",
        "for_proponent": "Per il proponente",
        "representative": "Rappresentante del proponente",
        "legal": "Dirigente firmatario per il Comune",
        "signed_on": "Firmato elettronicamente il",
        "signed_hash": "Documento firmato (SHA-256)",
        "signature": "Firma",
        "onerous_title": "Approvazione specifica delle clausole onerose",
        "onerous_text": "Ai sensi e per gli effetti degli artt. 1341 e 1342 del Codice civile, "
        "il proponente approva specificamente le clausole dei seguenti articoli:",
        "annexes": "Allegati",
        "no_annexes": "Nessun allegato.",
        "annexes_text": "Sono agli atti del procedimento i seguenti file, ciascuno identificato "
        "dalla propria impronta SHA-256.",
        "annex_kinds": {
            "statute": "Statuto o atto costitutivo del proponente",
            "photo": "Fotografia del luogo",
            "plan": "Planimetria o elaborato grafico",
            "integration": "Documento trasmesso a integrazione della proposta",
            "minutes": "Verbale dell'incontro di co-progettazione",
            "minutes_text": "Verbale dell'incontro di co-progettazione",
        },
        "minutes_of": "Verbale dell'incontro di co-progettazione del {date}",
        "minutes_text_of": "Verbale dell'incontro di co-progettazione del {date}, registrato "
        "agli atti del procedimento",
        "file": "file",
        "verification": "Verifica",
        "verify_text": "Inquadrare il codice o aprire l'indirizzo indicato per verificare "
        "l'autenticità e l'integrità del documento.",
        "sha256": "SHA-256 del testo del patto (file allegato pact.json)",
        "attachment": "Testo JSON canonico della versione {version} del patto, da cui è generato "
        "questo documento",
        "draft": "BOZZA",
        "draft_notice": "Bozza: non valida per la sottoscrizione",
        "subject": "Patto di collaborazione {protocol} tra {city} e {proponent}",
        "keywords": "patto di collaborazione, beni comuni urbani",
    },
}


# --- canonical JSON ---------------------------------------------------------------------------


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


# --- the URL fetcher --------------------------------------------------------------------------


class RefusedFetch(ValueError):
    """A URL outside the app's static files was asked for; nothing was read."""


@dataclass(frozen=True)
class FetchAttempt:
    url: str
    served: bool
    reason: str = ""


_MEDIA_TYPES = {
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".css": "text/css",
}


# WeasyPrint takes about a second to import: it is imported when a PDF is made, not with the
# app (whose command line and pages mostly never make one). StaticFilesFetcher, a subclass of
# WeasyPrint's fetcher, lives in commons.documents.fetcher and is found here on first use.


def __getattr__(name: str):
    if name == "StaticFilesFetcher":
        from commons.documents.fetcher import StaticFilesFetcher

        return StaticFilesFetcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


# --- the stylesheet ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PactStyle:
    """pact.css parsed, with the font configuration that holds its ``@font-face`` fonts.

    Parsing the stylesheet, loading the system's font configuration and reading the four
    DejaVu files is the same work for every pact, so the PDF renderer does it once per process
    (``shared_style``) and passes both to WeasyPrint, instead of parsing an inline ``<style>``
    each time. The fonts are fetched through ``fetcher``, like everything else.
    """

    css: CSS
    font_config: FontConfiguration
    fetcher: StaticFilesFetcher


def pact_style(fetcher: StaticFilesFetcher) -> PactStyle:
    """pact.css parsed now, its fonts fetched through ``fetcher``."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    css = CSS(
        string=_environment().get_template(STYLESHEET).render(),
        base_url=fetcher.base_url,
        url_fetcher=fetcher,
        font_config=font_config,
    )
    return PactStyle(css, font_config, fetcher)


# The shared style's font configuration (a Pango font map, fontconfig) is not for two threads
# at once: renderings that use it take turns.
_SHARED_STYLE_LOCK = threading.Lock()


@cache
def shared_style() -> PactStyle:
    """The process's parsed pact.css and fonts, from ``commons/static`` (built on first use)."""
    from commons.documents.fetcher import StaticFilesFetcher

    style = pact_style(StaticFilesFetcher())
    # Dropped before the interpreter empties the modules: WeasyPrint, imported after this module,
    # would be emptied first, and its font configuration could no longer remove its temporary
    # folder when freed.
    atexit.register(shared_style.cache_clear)
    return style


# --- the PDF ----------------------------------------------------------------------------------


def render_pact_pdf(
    version_content: dict,
    meta: dict,
    language: str,
    *,
    kind: str = "final",
    url_fetcher: StaticFilesFetcher | None = None,
) -> bytes:
    """The pact document as PDF/A-3b bytes, identical for identical inputs.

    ``url_fetcher`` may be given to inspect what the rendering asked for afterwards: it then
    fetches everything, the stylesheet's fonts included (the stylesheet is parsed for this
    rendering only, with its own font configuration). Without it, the stylesheet and fonts
    parsed once per process (``shared_style``) are used: the same bytes come out.
    """
    from weasyprint import HTML, Attachment

    from commons.documents.fetcher import StaticFilesFetcher

    document_html = _document_html(version_content, meta, language, kind, inline_style=False)
    fetcher = url_fetcher if url_fetcher is not None else StaticFilesFetcher()
    approved = _utc(meta.get("approved_at"))
    digest = content_sha256(version_content)
    version = _line((meta.get("pact") or {}).get("version")) or "-"
    lang = normalise_language(language)
    # Attachment dates default to "now": pinned to the approval time (UTC, naive as WeasyPrint
    # formats it with a "Z").
    stamp = approved.replace(tzinfo=None)
    attachment = Attachment(
        string=canonical_json(version_content),
        name=ATTACHMENT_NAME,
        description=LABELS[lang]["attachment"].format(version=version),
        created=stamp,
        modified=stamp,
        relationship="Source",
        url_fetcher=fetcher,
    )
    # The file identifier names this document: the text's hash, the language and the kind.
    identifier = hashlib.sha256(f"{digest}:{lang}:{kind}".encode()).hexdigest()[:32].encode()
    document = HTML(string=document_html, base_url=fetcher.base_url, url_fetcher=fetcher)

    def write(style: PactStyle) -> bytes:
        return document.write_pdf(
            stylesheets=[style.css],
            font_config=style.font_config,
            finisher=_finish,
            pdf_variant=PDF_VARIANT,
            attachments=[attachment],
            pdf_identifier=identifier,
        )

    if url_fetcher is not None:
        return write(pact_style(fetcher))
    with _SHARED_STYLE_LOCK:
        return write(shared_style())


def _finish(document, pdf) -> None:
    _list_associated_files_once(pdf)
    _compress_streams_once(pdf)


def _list_associated_files_once(pdf) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalog's /AF array; keep one of each."""
    associated = pdf.catalog.get("AF")
    if associated:
        seen = set()
        unique = [r for r in associated if not (str(r) in seen or seen.add(str(r)))]
        associated[:] = unique


def _compress_streams_once(pdf) -> None:
    """Deflate each stream now, once, and store it deflated: the same bytes, half the work.

    pydyf serialises (and deflates, at level 9) every stream each time its ``data`` is read,
    and with a file identifier, which PDF/A requires, ``PDF.write`` reads all of them twice:
    once to write them and once for the MD5 in the trailer's /ID. Fonts and page contents are
    most of the file, so the second deflate was most of what PDF/A cost. A stream holding its
    deflated bytes, ``compress`` off and ``/Filter /FlateDecode`` serialises exactly as pydyf
    would have serialised it (the filter key is added after the others, then ``/Length``).
    """
    for pdf_object in pdf.objects:
        if isinstance(pdf_object, pydyf.Stream) and pdf_object.compress:
            raw = b"\n".join(pydyf._to_bytes(item) for item in pdf_object.stream)
            deflate = zlib.compressobj(level=9)
            pdf_object.stream = [deflate.compress(raw) + deflate.flush()]
            extra = dict(pdf_object.extra)  # a copy: extra dictionaries may be shared
            extra["Filter"] = "/FlateDecode"
            pdf_object.extra = extra
            pdf_object.compress = False
