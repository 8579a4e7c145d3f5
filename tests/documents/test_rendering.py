"""The pact document: PDF/A-3b with the pact's real text, reproducible, fetching nothing outside.

The proposal is built once per module and the English and Italian documents are rendered once;
the tests read those PDFs as a reader (pypdf) and as an archivist (pikepdf) would.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO

import pikepdf
import pydyf
import pytest
from pypdf import PdfReader
from weasyprint import HTML

from commons import create_app
from commons.config import PROJECT_ROOT
from commons.documents import clauses, rendering
from commons.extensions import db
from commons.proposals.models import TechnicalOpinion
from tests import conftest
from tests.workflows.scenario import Cast, proposal_in
from workflows.guards import content_hash

APPROVED_AT = datetime(2026, 5, 25, 10, 30, tzinfo=UTC)
SETTINGS = {
    "city_name": "Testville",
    "city_office": "Commons Office",
    "signatory": "Giulia Romano, Director of the Commons Office",
    "signatory_power": "art. 107 of Legislative Decree 267/2000",
    "regulation_article": "art. 5",
}


@dataclass
class Rendered:
    content: dict
    meta: dict
    pdf: bytes
    text: str  # the PDF's text as extracted, whitespace collapsed, hyphenation undone
    fetcher: rendering.StaticFilesFetcher


def meta_for(facts: dict, content: dict, **overrides) -> dict:
    digest = content_hash(content)
    meta = {
        "city": {
            "name": "Testville",
            "office": "Commons Office",
            "signatory": SETTINGS["signatory"],
        },
        "pact": {
            "title": facts["title"],
            "protocol_number": facts["protocol_number"],
            "pact_type": "complex",
            "version": 3,
            "profile_title": "Labsus model regulation (Bologna 2014, Turin 2019)",
        },
        "proponent": {"name": facts["group"], "representative": facts["representative"]},
        "verification_url": f"https://commons.example/verify?sha256={digest}",
        "approved_at": APPROVED_AT,
        "content_sha256": digest,
        "annexes": ["Site plan", "Minutes of the co-design meeting of 1 May 2026"],
    }
    meta.update(overrides)
    return meta


def pdf_text(pdf: bytes) -> str:
    raw = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    raw = re.sub(r"(\w)[-\u2010\u00ad]\n(\w)", r"\1\2", raw)  # words the layout hyphenated
    return " ".join(raw.split())


def render(content, meta, language, **kwargs) -> Rendered:
    fetcher = rendering.StaticFilesFetcher(**kwargs.pop("fetcher_kwargs", {}))
    pdf = rendering.render_pact_pdf(content, meta, language, url_fetcher=fetcher, **kwargs)
    return Rendered(content, meta, pdf, pdf_text(pdf), fetcher)


@pytest.fixture(scope="module")
def facts(database_url):
    """A complex pact in legal review, with an opinion and a deliberation; its texts in en, it."""
    app = create_app(conftest.test_config(database_url))
    with app.app_context():
        try:
            cast = Cast()
            proposal = proposal_in("legal_review", cast, pact_type="complex")
            db.session.add(
                TechnicalOpinion(
                    proposal=proposal,
                    department="Green Areas Department",
                    requested_at=datetime(2026, 4, 1, tzinfo=UTC),
                    given_at=datetime(2026, 4, 20, 9, tzinfo=UTC),
                    positive=True,
                )
            )
            proposal.support_requested = ["tools", "insurance"]
            proposal.deliberation_number = "DG 12/2026"
            proposal.deliberation_date = date(2026, 5, 20)
            db.session.commit()
            return {
                "title": proposal.title,
                "protocol_number": proposal.protocol_number,
                "group": proposal.group.name,
                "representative": proposal.representative.full_name,
                "member": cast.member.full_name,
                "commons": [c.name for c in proposal.commons],
                "content": {
                    language: clauses.default_content(proposal, SETTINGS, language)
                    for language in ("en", "it")
                },
            }
        finally:
            db.session.rollback()
            conftest._empty_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def documents(facts) -> dict[str, Rendered]:
    out = {}
    for language in ("en", "it"):
        content = facts["content"][language]
        out[language] = render(content, meta_for(facts, content), language)
    return out


def section_titles(content: dict) -> list[str]:
    return [s["title"] for s in content["sections"]]


def test_the_document_names_the_parties_the_commons_and_every_section(facts, documents):
    doc = documents["en"]
    text = doc.text
    for fact in (
        "TESTVILLE",
        "COLLABORATION PACT",
        facts["title"],
        "The City of Testville",
        "Giulia Romano, Director of the Commons Office",
        facts["group"],
        facts["representative"],
        facts["member"],
        "Protocol no. 2026/",
        "Approved on 25 May 2026",
        "the Green Areas Department gave a positive opinion on 20 April 2026",
        "deliberation no. DG 12/2026",
        "Site plan",
    ):
        assert fact in text, fact
    for name in facts["commons"]:
        assert name in text
    for title in section_titles(doc.content):
        assert title.upper() in text, title  # headings print in capitals
    assert "Page 1 of" in text and "Page 2 of" in text
    # Articles are numbered by the stylesheet; the onerous clauses refer to their numbers.
    assert "Art. 1 – Object" in text
    assert "Art. 5 – Duration (Duration, suspension and withdrawal)" in text
    assert "Art. 8 – Withdrawal (Duration, suspension and withdrawal)" in text
    assert "Specific approval of onerous clauses" in text


def test_the_italian_document_speaks_italian(documents):
    doc = documents["it"]
    text = doc.text
    assert "PATTO DI COLLABORAZIONE" in text
    assert "Pagina 1 di" in text
    for title in (
        "Premesse",
        "Oggetto e finalità",
        "Durata, sospensione e recesso",
        "Sottoscrizione",
    ):
        assert title in section_titles(doc.content)
    for title in section_titles(doc.content):
        assert title.upper() in text, title
    assert "Approvato il 25/05/2026" in text
    assert "Art. 1 – Oggetto" in text
    assert "Approvazione specifica delle clausole onerose" in text


def test_the_pdf_is_pdfa_3b_with_the_metadata_of_the_act(documents):
    with pikepdf.open(BytesIO(documents["en"].pdf)) as pdf:
        xmp = pdf.open_metadata()
        assert xmp["pdfaid:part"] == "3"
        assert xmp["pdfaid:conformance"] == "B"
        assert xmp["dc:title"].startswith("Collaboration pact – Care of garden")
        assert xmp["dc:creator"] == ["Testville"]
        assert "Collaboration pact 2026/" in xmp["dc:description"]
        assert "collaboration pact" in xmp["pdf:Keywords"]
        assert xmp["xmp:CreateDate"] == "2026-05-25T10:30:00Z"
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFA1"
        assert "/DestOutputProfile" in intents[0]
        assert pdf.docinfo["/CreationDate"] == "D:20260525103000Z"
        assert str(pdf.Root.Lang) == "en"
        assert pdf.pdf_version == "1.7"


def test_the_canonical_json_is_attached_and_its_hash_printed(documents):
    doc = documents["en"]
    with pikepdf.open(BytesIO(doc.pdf)) as pdf:
        attached = pdf.attachments["pact.json"]
        data = attached.get_file().read_bytes()
        assert [f.objgen for f in pdf.Root.AF] == [attached.obj.objgen]
        assert attached.obj.AFRelationship == "/Source"
        assert attached.get_file().mime_type == "application/json"
    assert json.loads(data) == doc.content
    assert data == rendering.canonical_json(doc.content)
    digest = hashlib.sha256(data).hexdigest()
    assert digest == content_hash(doc.content) == doc.meta["content_sha256"]
    assert digest in doc.text
    assert doc.meta["verification_url"] in doc.text


def fonts_of(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            if font.Subtype == "/Type0":
                yield font.BaseFont, font.DescendantFonts[0].FontDescriptor
            else:
                yield font.BaseFont, font.FontDescriptor


def test_every_font_is_embedded_and_vendored(documents):
    with pikepdf.open(BytesIO(documents["it"].pdf)) as pdf:
        fonts = list(fonts_of(pdf))
        assert fonts
        for name, descriptor in fonts:
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), name
            # Only the fonts of commons/static/fonts: no system font slipped in.
            assert "+Pact-" in str(name), name
    fetched = documents["it"].fetcher.served
    assert sorted(url.rsplit("/", 1)[1] for url in fetched) == [
        "DejaVuSansMono.ttf",
        "DejaVuSerif-Bold.ttf",
        "DejaVuSerif-Italic.ttf",
        "DejaVuSerif.ttf",
    ]
    assert documents["it"].fetcher.refused == []


def test_each_section_is_a_bookmark_with_its_articles(documents):
    doc = documents["en"]
    with pikepdf.open(BytesIO(doc.pdf)) as pdf, pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
        children = {item.title: [c.title for c in item.children] for item in outline.root}
    assert top == [*section_titles(doc.content), "Annexes"]
    assert children["Object and objectives"][:2] == ["Art. 1 – Object", "Art. 2 – Objectives"]


def test_the_same_pact_gives_the_same_bytes_in_other_processes(documents, tmp_path):
    doc = documents["en"]
    source = tmp_path / "pact.json"
    meta = {**doc.meta, "approved_at": APPROVED_AT.isoformat()}
    source.write_text(json.dumps({"content": doc.content, "meta": meta}))
    script = (
        "import json, sys\n"
        "from commons.documents.rendering import render_pact_pdf\n"
        "data = json.load(open(sys.argv[1]))\n"
        "sys.stdout.buffer.write(render_pact_pdf(data['content'], data['meta'], 'en'))\n"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(source)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed, "TZ": tz},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for seed, tz in (("1", "UTC"), ("2", "America/New_York"))
    ]
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
        outputs.append(out)
    assert outputs[0] == outputs[1]
    assert outputs[0] == doc.pdf


def test_renderings_in_one_process_share_the_parsed_stylesheet_and_give_the_same_bytes(documents):
    """Without a fetcher, pact.css and its fonts are parsed once per process and reused.

    The module's documents were rendered with their own fetcher, so with a stylesheet parsed
    for them alone: the shared one must give the very same bytes, however often it is used.
    """
    style = rendering.shared_style()
    italian = rendering.render_pact_pdf(documents["it"].content, documents["it"].meta, "it")
    english = [
        rendering.render_pact_pdf(documents["en"].content, documents["en"].meta, "en")
        for _ in range(2)
    ]
    assert italian == documents["it"].pdf
    assert english == [documents["en"].pdf] * 2
    assert rendering.shared_style() is style
    # Its fonts came through a StaticFilesFetcher too, once: the four vendored files.
    assert sorted(url.rsplit("/", 1)[1] for url in style.fetcher.served) == [
        "DejaVuSansMono.ttf",
        "DejaVuSerif-Bold.ttf",
        "DejaVuSerif-Italic.ttf",
        "DejaVuSerif.ttf",
    ]
    assert style.fetcher.refused == []


def test_streams_deflated_once_serialise_as_pydyf_would_have():
    def pdf_with_streams() -> pydyf.PDF:
        pdf = pydyf.PDF()
        shared = {"Subtype": "/XML"}  # one extra dictionary for a deflated and a plain stream
        for stream in (
            pydyf.Stream([b"BT", b"/F1 12 Tf", b"(Pact) Tj", b"ET"] * 40, compress=True),
            pydyf.Stream([b"kept as it is"], {"Type": "/EmbeddedFile"}),
            pydyf.Stream([b"<x:xmpmeta/>", 42, 1.5], shared, compress=True),
            pydyf.Stream([b"plain"], shared),
        ):
            pdf.add_object(stream)
        return pdf

    expected, finished = BytesIO(), BytesIO()
    pdf_with_streams().write(expected, identifier=b"0" * 32, compress=True)
    pdf = pdf_with_streams()
    rendering._compress_streams_once(pdf)
    assert not any(isinstance(o, pydyf.Stream) and o.compress for o in pdf.objects)
    pdf.write(finished, identifier=b"0" * 32, compress=True)
    assert finished.getvalue() == expected.getvalue()
    assert b"/FlateDecode" in expected.getvalue()


HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="http://attacker.example/steal.css">',
    "<script>document.write('<img src=\"http://attacker.example/s.png\">')</script>",
    "<style>@import url(http://attacker.example/i.css);</style>",
    '<svg><image href="file:///etc/shadow"/></svg>',
    "body { background: url(http://attacker.example/bg.png) }",
]


def test_hostile_text_renders_as_harmless_text_and_fetches_nothing(facts):
    content = copy.deepcopy(facts["content"]["en"])
    target = next(s for s in content["sections"] if s["key"] == "object")
    target["articles"][0]["text"] = "\n\n".join(
        f"Case {i}: {h} end." for i, h in enumerate(HOSTILE)
    )
    target["articles"][1]["title"] = HOSTILE[0] + "Objectives"
    target["title"] = HOSTILE[1] + "Object and objectives"
    meta = meta_for(
        facts,
        content,
        city={"name": HOSTILE[1] + "Testville", "logo_path": "../../../../../../etc/passwd"},
        pact={"title": HOSTILE[2] + "Care", "protocol_number": "2026/1", "version": 1},
        annexes=[HOSTILE[3] + "Plan"],
    )

    html = rendering.render_pact_html(content, meta, "en")
    for tag in ("<script", "<link", "<style>@import", "<image"):
        assert tag not in html
    assert html.count("<img") == 1  # the city's logo only, which the fetcher refuses below
    assert "&lt;script&gt;" in html and "&lt;link rel=" in html  # text, kept as typed

    doc = render(content, meta, "en")
    for i, hostile in enumerate(HOSTILE):
        assert f"Case {i}: {hostile} end." in doc.text
    assert "body { background: url(http://attacker.example/bg.png) } end." in doc.text
    assert "TESTVILLE" in doc.text and "OBJECT AND OBJECTIVES" in doc.text
    # The only URL outside the fonts was the logo setting, and it was refused.
    assert doc.fetcher.refused == ["file:///etc/passwd"]
    assert all(
        url.startswith(rendering.STATIC_DIR.as_uri() + "/fonts/") for url in doc.fetcher.served
    )
    # The attachment keeps the frozen text exactly as it was hashed.
    with pikepdf.open(BytesIO(doc.pdf)) as pdf:
        assert json.loads(pdf.attachments["pact.json"].get_file().read_bytes()) == content


def test_markup_reaching_weasyprint_still_fetches_nothing_outside():
    """Defence in depth: even raw HTML with outside references gets nothing past the fetcher."""
    fetcher = rendering.StaticFilesFetcher()
    raw = """<html><head>
      <link rel="stylesheet" href="http://attacker.example/steal.css">
      <style>@import url(https://attacker.example/i.css);
        p { background: url(file:///etc/hostname) }</style></head>
      <body><p>x</p><img src="file:///etc/passwd"><img src="fonts/../../config.py">
      <img src="fonts/%2e%2e/%2e%2e/config.py"><img src="data:image/png;base64,iVBORw0KGgo=">
      <img src="fonts/DejaVuSerif.ttf"></body></html>"""
    HTML(string=raw, base_url=fetcher.base_url, url_fetcher=fetcher).write_pdf()
    assert set(fetcher.refused) >= {
        "http://attacker.example/steal.css",
        "https://attacker.example/i.css",
        "file:///etc/hostname",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
    }
    assert any("config.py" in url for url in fetcher.refused)
    assert fetcher.served == [rendering.STATIC_DIR.as_uri() + "/fonts/DejaVuSerif.ttf"]


def test_the_fetcher_serves_only_regular_static_files(tmp_path):
    root = tmp_path / "static"
    (root / "img").mkdir(parents=True)
    (root / "img" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / "img" / "notes.py").write_text("secret = 1")
    (tmp_path / "secret.svg").write_text("<svg/>")
    (root / "img" / "escape.svg").symlink_to(tmp_path / "secret.svg")
    fetcher = rendering.StaticFilesFetcher(root)
    base = fetcher.base_url

    response = fetcher.fetch(base + "img/logo.svg")
    assert response.read().startswith(b"<svg") and response.content_type == "image/svg+xml"
    for url in (
        base + "img/escape.svg",  # a symbolic link out of the root
        base + "img/notes.py",  # not a type a document uses
        base + "img",  # a directory
        base + "img/missing.svg",
        base + "img/%2e%2e/%2e%2e/secret.svg",
        (tmp_path / "secret.svg").as_uri(),
        "file://attacker.example/share/logo.svg",
        "http://attacker.example/logo.svg",
        "https://attacker.example/logo.svg",
        "ftp://attacker.example/logo.svg",
        "data:image/svg+xml,<svg/>",
    ):
        with pytest.raises(rendering.RefusedFetch):
            fetcher.fetch(url)
    assert fetcher.served == [base + "img/logo.svg"]
    assert len(fetcher.refused) == 11


def test_the_city_logo_comes_from_static_files(facts, tmp_path):
    root = tmp_path / "static"
    shutil.copytree(rendering.STATIC_DIR / "fonts", root / "fonts")
    (root / "img").mkdir()
    (root / "img" / "city.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='40'>"
        "<rect width='40' height='40' fill='#036'/></svg>"
    )
    content = facts["content"]["en"]
    meta = meta_for(facts, content)
    meta["city"]["logo_path"] = "img/city.svg"
    doc = render(content, meta, "en", fetcher_kwargs={"root": root})
    assert (root / "img" / "city.svg").as_uri() in doc.fetcher.served
    assert doc.fetcher.refused == []


def test_signatures_print_who_signed_when_and_what(facts):
    content = facts["content"]["en"]
    signatures = [
        {
            "name": facts["representative"],
            "role": "representative",
            "signed_at": datetime(2026, 5, 26, 8, 0, tzinfo=UTC),
            "document_hash": "ab" * 32,
        },
        {
            "name": "Leo Legal",
            "role": "legal",
            "signed_at": datetime(2026, 5, 27, 15, 5, tzinfo=UTC),
            "document_hash": "ab" * 32,
        },
    ]
    html = rendering.render_pact_html(
        content, meta_for(facts, content, signatures=signatures), "en"
    )
    assert "Signed electronically on 26 May 2026, 10:00 CEST" in html
    assert "Signed electronically on 27 May 2026, 17:05 CEST" in html
    assert "Leo Legal" in html and "ab" * 32 in html
    # Unsigned, the blocks name who is to sign.
    unsigned = rendering.render_pact_html(content, meta_for(facts, content), "it")
    assert "Per il proponente" in unsigned and facts["representative"] in unsigned
    assert "Giulia Romano, Director of the Commons Office" in unsigned


def test_a_draft_says_so_and_wrong_inputs_are_refused(facts):
    content = facts["content"]["en"]
    draft = rendering.render_pact_html(content, meta_for(facts, content), "en", kind="draft")
    assert '<div class="watermark" aria-hidden="true">DRAFT</div>' in draft
    assert "<th>Draft of</th><td>25 May 2026</td>" in draft
    with pytest.raises(ValueError, match="kind"):
        rendering.render_pact_html(content, meta_for(facts, content), "en", kind="signed-ish")
    with pytest.raises(ValueError, match="not the hash"):
        rendering.render_pact_html(content, meta_for(facts, content, content_sha256="0" * 64), "en")
    with pytest.raises(ValueError, match="approved_at"):
        rendering.render_pact_html(content, meta_for(facts, content, approved_at=None), "en")
