"""Co-design: the office and the representative edit clauses; every save is a new version."""

from __future__ import annotations

from sqlalchemy import select

from commons.documents.diff import inline_diff
from commons.documents.models import Document, PactVersion
from commons.documents.terms import Terms, form_values
from commons.extensions import db
from tests.conftest import login, post_form
from tests.workflows.scenario import Cast, proposal_in


def _form_from_page(version: PactVersion, **changes) -> dict:
    """What the editor opened on ``version`` sends unchanged: the version it started from,
    its terms fields, and the articles not generated."""
    content = version.content
    terms = Terms.from_dict(content["terms"])
    data = {k: v for k, v in form_values(terms).items() if k != "terms_support"}
    data["base_version"] = str(version.number)
    data["terms_support"] = list(terms.support)
    for c in terms.commons:
        data[f"terms_commons-{c.id}"] = "y"
        data[f"terms_part-{c.id}"] = c.part
    for si, section in enumerate(content["sections"]):
        for ai, article in enumerate(section["articles"]):
            if not article.get("generated"):
                data[f"s{si}-a{ai}-title"] = article["title"]
                data[f"s{si}-a{ai}-text"] = article["text"]
    data.update(changes)
    return data


def test_representative_edits_and_office_compares(app, make):
    cast = Cast()
    p = proposal_in("co_design", cast)  # has version 1
    v1 = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == p.id))
    rep = app.test_client()
    login(rep, cast.representative.email)
    page = rep.get(f"/proposals/{p.id}/pact/edit").get_data(as_text=True)
    assert "You are editing version 1" in page
    object_index = [s["key"] for s in v1.content["sections"]].index("object")
    articles = v1.content["sections"][object_index]["articles"]
    text, new_slot = articles[1]["text"], len(articles)  # [0], the commons, is generated
    data = _form_from_page(
        v1,
        **{
            f"s{object_index}-a1-text": text + " We also water the trees in July.",
            f"s{object_index}-a{new_slot}-title": "Watering",
            f"s{object_index}-a{new_slot}-text": "Twice a week in summer.",
            "comment": "Added watering",
        },
    )
    response = post_form(rep, f"/proposals/{p.id}/pact/edit", data)
    assert response.status_code == 302
    versions = db.session.scalars(
        select(PactVersion).where(PactVersion.proposal_id == p.id).order_by(PactVersion.number)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].author_id == cast.representative.id
    assert versions[1].comment == "Added watering"
    assert versions[0].content == v1.content  # the earlier version is untouched
    office = app.test_client()
    login(office, cast.officer.email)
    listing = office.get(f"/proposals/{p.id}/pact").get_data(as_text=True)
    assert "Added watering" in listing and "Rita Representative" in listing
    diff = office.get(f"/proposals/{p.id}/pact/compare?a=1&b=2").get_data(as_text=True)
    assert "<ins> We also water the trees in July.</ins>" in diff
    assert "<ins>Watering</ins>" in diff and "<ins>Twice a week in summer.</ins>" in diff
    assert len(versions[1].content["sections"][object_index]["articles"]) == new_slot + 1
    same = post_form(
        office,
        f"/proposals/{p.id}/pact/edit",
        {**_form_from_page(versions[1]), "comment": ""},
    )
    assert same.status_code == 422 and "Nothing changed since version 2" in same.get_data(
        as_text=True
    )


def test_only_co_design_participants_edit(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    login(client, cast.member.email)
    assert client.get(f"/proposals/{p.id}/pact/edit").status_code == 403
    assert client.get(f"/proposals/{p.id}/pact").status_code == 200  # members read
    legal_review = proposal_in("legal_review", cast)
    officer = client.application.test_client()
    login(officer, cast.officer.email)
    assert officer.get(f"/proposals/{legal_review.id}/pact/edit").status_code == 403
    public = client.application.test_client()
    assert public.get(f"/proposals/{p.id}/pact").status_code == 403


def test_draft_preview_is_rendered_once_and_private(app, client):
    cast = Cast()
    p = proposal_in("co_design", cast)
    login(client, cast.officer.email)
    first = post_form(
        client, f"/proposals/{p.id}/pact/1/preview", {}, token_from=f"/proposals/{p.id}/pact"
    )
    second = post_form(
        client, f"/proposals/{p.id}/pact/1/preview", {}, token_from=f"/proposals/{p.id}/pact"
    )
    assert first.status_code == 302 and first.headers["Location"] == second.headers["Location"]
    pdf = client.get(first.headers["Location"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    drafts = db.session.scalars(select(Document).where(Document.kind == "draft")).all()
    assert len(drafts) == 1
    assert client.application.test_client().get(first.headers["Location"]).status_code == 403


def test_inline_diff_escapes_and_marks_words():
    html = str(inline_diff("clean the <park>", "clean the big <park> daily"))
    assert "&lt;park&gt;" in html and "<ins>big </ins>" in html and "<ins> daily</ins>" in html
