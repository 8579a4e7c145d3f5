"""Text kept as typed: what is typed between angle brackets survives every output, as text;
markup typed into a text never runs (issue 14, defect 12).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from commons.documents import rendering
from commons.documents.models import PactVersion
from commons.extensions import db
from tests.api.helpers import Caller, token_for
from tests.conftest import login, post_form
from tests.documents.test_versions import _form_from_page
from tests.workflows.scenario import Cast, proposal_in

UNDER = "Each tool costs <under> 50 EUR and is bought by the City."
NOME = "The undersigned <nome> takes care of the garden."
SCRIPT = "<script>alert(1)</script>"


def pdf_text(pdf: bytes) -> str:
    raw = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    raw = re.sub(r"(\w)[-\u2010\u00ad]\n(\w)", r"\1\2", raw)  # words the layout hyphenated
    return " ".join(raw.split())


def _object_index(content: dict) -> int:
    return [s["key"] for s in content["sections"]].index("object")


def _save_with_angle_brackets(client, proposal, version: PactVersion) -> PactVersion:
    content = version.content
    i = _object_index(content)
    new_slot = len(content["sections"][i]["articles"])
    data = _form_from_page(
        version,
        **{
            f"s{i}-a1-text": UNDER,
            f"s{i}-a{new_slot}-title": SCRIPT,
            f"s{i}-a{new_slot}-text": NOME,
            "comment": "Prices <under> a cap",
        },
    )
    response = post_form(client, f"/proposals/{proposal.id}/pact/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return db.session.scalar(
        select(PactVersion)
        .where(PactVersion.proposal_id == proposal.id)
        .order_by(PactVersion.number.desc())
        .limit(1)
    )


def test_angle_brackets_survive_the_save_the_pages_the_api_and_the_draft_pdf(app):
    cast = Cast()
    p = proposal_in("co_design", cast)
    v1 = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == p.id))
    rep = app.test_client()
    login(rep, cast.representative.email)
    version = _save_with_angle_brackets(rep, p, v1)

    # Stored as typed (and so hashed as typed).
    articles = version.content["sections"][_object_index(version.content)]["articles"]
    assert articles[1]["text"] == UNDER
    assert articles[-1] == {"title": SCRIPT, "text": NOME}

    # The version page (the HTML preview of the text): escaped, visible, never markup.
    page = rep.get(f"/proposals/{p.id}/pact/{version.number}").get_data(as_text=True)
    assert "Each tool costs &lt;under&gt; 50 EUR" in page
    assert "The undersigned &lt;nome&gt; takes care" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and SCRIPT not in page

    # The comparison marks the words added, escaped.
    diff = rep.get(f"/proposals/{p.id}/pact/compare?a=1&b=2").get_data(as_text=True)
    assert "&lt;under&gt;" in diff and "&lt;nome&gt;" in diff and SCRIPT not in diff

    # The API gives the text back as typed.
    api = Caller(app.test_client(), token_for(cast.representative))
    body = api.get(f"/proposals/{p.id}/pact-versions/{version.number}").get_json()
    texts = [a["text"] for s in body["content"]["sections"] for a in s["articles"]]
    assert UNDER in texts and NOME in texts

    # The draft PDF prints it as typed.
    office = app.test_client()
    login(office, cast.officer.email)
    made = post_form(
        office,
        f"/proposals/{p.id}/pact/{version.number}/preview",
        {},
        token_from=f"/proposals/{p.id}/pact",
    )
    assert made.status_code == 302
    text = pdf_text(office.get(made.headers["Location"]).data)
    assert UNDER in text and NOME in text and SCRIPT in text.replace(" ", "")


def test_the_pact_document_prints_angle_brackets_and_html_as_text():
    content = {
        "sections": [
            {
                "key": "object",
                "title": "Object <of> the pact",
                "articles": [{"title": SCRIPT, "text": f"{UNDER}\n\n{NOME}"}],
            }
        ]
    }
    meta = {"approved_at": datetime(2026, 5, 25, tzinfo=UTC), "pact": {"title": SCRIPT}}
    html = rendering.render_pact_html(content, meta, "en")
    assert "costs &lt;under&gt; 50 EUR" in html and "&lt;nome&gt;" in html
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text = pdf_text(rendering.render_pact_pdf(content, meta, "en"))
    assert UNDER in text and NOME in text and "<OF>" in text  # section titles print in capitals


def test_plain_text_keeps_text_as_typed():
    assert rendering.plain_text("a < b & c, AT&T, x<y") == "a < b & c, AT&T, x<y"
    assert rendering.plain_text("costs <under> 50 EUR") == "costs <under> 50 EUR"
    assert rendering.plain_text(f"{SCRIPT}ok\x00") == f"{SCRIPT}ok"
    assert rendering.plain_text("&lt;b&gt;\r\nx") == "&lt;b&gt;\nx"  # entities are text too
    assert rendering.plain_text(None) == ""


def test_a_script_title_is_text_on_the_case_page_and_the_public_pages(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    p.title = f"{SCRIPT} Garden"
    place = p.commons[0]
    place.name = f"{SCRIPT} Park"
    db.session.commit()
    login(client, cast.officer.email)
    pages = {
        "case": client.get(f"/proposals/{p.id}"),
        "public pact": client.get(f"/pacts/{p.id}"),
        "register": client.get("/commons/"),
        "commons": client.get(f"/commons/{place.id}"),
    }
    for name, response in pages.items():
        page = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, name
        assert SCRIPT not in page, name
