"""The pact document: a frozen pact version and the city's settings, rendered to HTML and PDF.

The HTML is made by :mod:`commons.documents.pact_html` (its words: ``pact_labels``); this module
makes the PDF from it. Both are importable from here.

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
import threading
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pydyf

from commons.documents.clauses import normalise_language
from commons.documents.pact_html import (  # noqa: F401 - the pact document's API, also from here
    _document_html,
    _environment,
    _line,
    _utc,
    content_sha256,
    plain_text,
    render_pact_html,
)
from commons.documents.pact_labels import LABELS
from workflows.canonical import canonical_json  # also this module's name for it

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from commons.documents.fetcher import StaticFilesFetcher

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STYLESHEET = "pacts/pact.css"
PDF_VARIANT = "pdf/a-3b"
ATTACHMENT_NAME = "pact.json"

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
