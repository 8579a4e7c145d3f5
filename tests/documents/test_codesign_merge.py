"""Two people editing the pact text at once: nobody's version is undone without being seen.

Observed before: two people opened the editor on version 2; the first saved version 3, the
second's save became version 4 and silently put back version 2's text where the first had
changed it. Now the editor carries the version it started from, the second save is refused
(409) with the text kept, and the page merges the two edits clause by clause.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from commons.documents import operations as documents
from commons.documents.merge import CONFLICT, MINE, SAME, THEIRS, merge_contents
from commons.documents.models import PactVersion
from commons.documents.operations import VersionConflict
from commons.errors import DomainError
from commons.extensions import db
from tests.conftest import login, post_form
from tests.documents.test_versions import _form_from_page
from tests.workflows.scenario import Cast, proposal_in


class _FormReader(HTMLParser):
    """What a browser would send from the page's editor form, as it was rendered."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def _page_form(html: str) -> dict:
    reader = _FormReader()
    reader.feed(html.split('<form method="post" novalidate>', 1)[1].split("</form>", 1)[0])
    data = {k: v if len(v) > 1 or k == "terms_support" else v[0] for k, v in reader.data.items()}
    data.pop("csrf_token", None)
    return data


def _versions(pid: int) -> list[PactVersion]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(PactVersion).where(PactVersion.proposal_id == pid).order_by(PactVersion.number)
        )
    )


def _editable(content: dict) -> list[tuple[int, int, str]]:
    """(section index, article index, section key) of the articles people type, in order."""
    return [
        (si, ai, s["key"])
        for si, s in enumerate(content["sections"])
        for ai, a in enumerate(s["articles"])
        if not a.get("generated")
    ]


def _text(version: PactVersion, si: int, ai: int) -> str:
    return version.content["sections"][si]["articles"][ai]["text"]


@pytest.fixture
def co_design(app):
    """A proposal in co-design at version 2, the office and the representative logged in."""
    cast = Cast()
    p = proposal_in("co_design", cast)  # has version 1
    v1 = _versions(p.id)[0]
    si, ai, _key = _editable(v1.content)[0]
    content = {**v1.content}
    content["sections"] = [dict(s, articles=list(s["articles"])) for s in v1.content["sections"]]
    content["sections"][si]["articles"][ai] = {
        **content["sections"][si]["articles"][ai],
        "text": _text(v1, si, ai) + " Version two.",
    }
    documents.save_version(p, author=cast.officer, content=content, base_version=1)
    db.session.commit()
    office, rep = app.test_client(), app.test_client()
    login(office, cast.officer.email)
    login(rep, cast.representative.email)
    return p.id, cast, office, rep


def test_the_second_save_from_the_same_version_is_refused_and_keeps_the_text(co_design):
    pid, cast, office, rep = co_design
    url = f"/proposals/{pid}/pact/edit"
    v2 = _versions(pid)[1]
    for client in (office, rep):
        page = client.get(url).get_data(as_text=True)
        assert 'name="base_version" type="hidden" value="2"' in page
    si, ai, _ = _editable(v2.content)[0]
    first = post_form(
        office, url, _form_from_page(v2, **{f"s{si}-a{ai}-text": "The office's wording."})
    )
    assert first.status_code == 302
    second = post_form(
        rep, url, _form_from_page(v2, **{f"s{si}-a{ai}-text": "The group's wording."})
    )
    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Someone saved version 3 of the pact text while you were editing version 2" in page
    assert "The group&#39;s wording." in page  # what they typed is in the form again
    assert "The office&#39;s wording." in page  # and what the other person saved, beside it
    assert 'name="base_version" type="hidden" value="3"' in page
    versions = _versions(pid)
    assert [v.number for v in versions] == [1, 2, 3]
    assert _text(versions[2], si, ai) == "The office's wording."
    assert versions[2].author_id == cast.officer.id


def test_edits_of_different_clauses_merge_and_save_as_version_4(co_design):
    pid, _cast, office, rep = co_design
    url = f"/proposals/{pid}/pact/edit"
    v2 = _versions(pid)[1]
    (si, ai, _), (sj, aj, _) = _editable(v2.content)[:2]
    office_edit = _form_from_page(
        v2,
        terms_report_interval_months="3",
        **{f"s{si}-a{ai}-text": "Cleaning on Saturdays."},
    )
    assert post_form(office, url, office_edit).status_code == 302
    rep_edit = _form_from_page(
        v2, terms_duration_months="18", **{f"s{sj}-a{aj}-text": "Watering in July."}
    )
    # As a browser sends them: every line of a textarea ends in "\r\n".
    rep_edit = {
        k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in rep_edit.items()
    }
    refused = post_form(rep, url, rep_edit)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Taken from version 3 automatically" in page
    assert "Your changes, kept" in page
    # Only what they changed: the article and the term, not every multi-line article.
    kept = page.split('<ul class="merge-mine">', 1)[1].split("</ul>", 1)[0]
    assert kept.count("<li>") == 2, kept
    assert "Changed by both of you in different ways" not in page
    merged = _page_form(page)
    assert merged["base_version"] == "3"
    assert merged[f"s{si}-a{ai}-text"] == "Cleaning on Saturdays."  # theirs, taken
    assert merged[f"s{sj}-a{aj}-text"] == "Watering in July."  # mine, kept
    assert merged["terms_report_interval_months"] == "3"
    assert merged["terms_duration_months"] == "18"
    saved = post_form(rep, url, merged)
    assert saved.status_code == 302
    versions = _versions(pid)
    assert [v.number for v in versions] == [1, 2, 3, 4]
    v4 = versions[3]
    assert _text(v4, si, ai) == "Cleaning on Saturdays."
    assert _text(v4, sj, aj) == "Watering in July."
    assert v4.content["terms"]["report_interval_months"] == 3
    assert v4.content["terms"]["duration_months"] == 18


def test_a_clause_both_changed_is_shown_for_the_person_to_choose(co_design):
    pid, _cast, office, rep = co_design
    url = f"/proposals/{pid}/pact/edit"
    v2 = _versions(pid)[1]
    (si, ai, _), (sj, aj, _) = _editable(v2.content)[:2]
    edit = {f"s{si}-a{ai}-text": "Paint the benches green."}
    assert post_form(office, url, _form_from_page(v2, **edit)).status_code == 302
    mine = {
        f"s{si}-a{ai}-text": "Paint the benches blue.",
        f"s{sj}-a{aj}-text": "Bring your own gloves.",
    }
    refused = post_form(rep, url, _form_from_page(v2, **mine))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Changed by both of you in different ways" in page
    conflict_box = '<fieldset class="border border-warning rounded p-2 mb-2 merge-conflict">'
    assert page.count(conflict_box) == 1
    assert "green" in page.split(f'id="s{si}-a{ai}-take-mine"')[0].rsplit("merge-conflict", 1)[1]
    merged = _page_form(page)
    assert merged[f"s{si}-a{ai}-text"] == "Paint the benches blue."  # pre-filled with mine
    assert merged[f"s{si}-a{ai}-take"] == "mine"
    # Keeping mine is a knowing save over version 3.
    assert post_form(rep, url, merged).status_code == 302
    v4 = _versions(pid)[3]
    assert _text(v4, si, ai) == "Paint the benches blue."
    assert _text(v4, sj, aj) == "Bring your own gloves."


def test_choosing_theirs_for_a_clause_takes_the_latest_text(co_design):
    pid, _cast, office, rep = co_design
    url = f"/proposals/{pid}/pact/edit"
    v2 = _versions(pid)[1]
    (si, ai, _), (sj, aj, _) = _editable(v2.content)[:2]
    edit = {f"s{si}-a{ai}-text": "Paint the benches green.", "terms_duration_months": "6"}
    assert post_form(office, url, _form_from_page(v2, **edit)).status_code == 302
    mine = {
        f"s{si}-a{ai}-text": "Paint the benches blue.",
        f"s{sj}-a{aj}-text": "Bring your own gloves.",
        "terms_duration_months": "9",
    }
    page = post_form(rep, url, _form_from_page(v2, **mine)).get_data(as_text=True)
    assert "Term of the pact: changed by both of you" in page
    merged = _page_form(page)
    assert merged["terms_duration_months"] == "9"
    theirs = re.search(rf'id="s{si}-a{ai}-take-theirs" value="([^"]*)"', page).group(1)
    assert theirs == f"theirs:{ai}"  # where the article is in version 3
    merged[f"s{si}-a{ai}-take"] = theirs
    merged["terms_take-term"] = "theirs"
    assert post_form(rep, url, merged).status_code == 302
    v4 = _versions(pid)[3]
    assert _text(v4, si, ai) == "Paint the benches green."
    assert _text(v4, sj, aj) == "Bring your own gloves."
    assert v4.content["terms"]["duration_months"] == 6


def test_the_editor_needs_the_version_it_started_from(co_design):
    pid, _cast, _office, rep = co_design
    data = _form_from_page(_versions(pid)[1], **{"comment": "x"})
    data.pop("base_version")
    data["s0-a0-text"] = "Something new."
    response = post_form(rep, f"/proposals/{pid}/pact/edit", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The version you started from: Open the editor again" in page
    unknown = post_form(rep, f"/proposals/{pid}/pact/edit", {**data, "base_version": "9"})
    assert unknown.status_code == 422
    assert "There is no version 9 of the pact text to start from." in unknown.get_data(as_text=True)
    assert [v.number for v in _versions(pid)] == [1, 2]


def test_save_version_refuses_a_stale_base_and_names_the_latest(app):
    cast = Cast()
    p = proposal_in("co_design", cast)
    content = documents.default_content(p)
    content["sections"][0]["title"] = "Changed title"
    documents.save_version(p, author=cast.officer, content=content, base_version=1)
    with pytest.raises(VersionConflict) as refused:
        documents.save_version(p, author=cast.officer, base_version=1)
    assert (refused.value.base_version, refused.value.latest_version) == (1, 2)
    assert refused.value.status_code == 409
    with pytest.raises(DomainError):
        documents.save_version(p, author=cast.officer, content=content, base_version=7)


def _doc(articles: list[tuple[str, str]], terms: dict | None = None) -> dict:
    content = {
        "sections": [
            {
                "key": "obj",
                "title": "Object",
                "articles": [
                    {"title": "Commons", "text": "generated", "generated": "commons"},
                    *({"title": t, "text": x} for t, x in articles),
                ],
            }
        ]
    }
    if terms is not None:
        content["terms"] = terms
    return content


def _terms(**changes) -> dict:
    terms = {
        "start_date": None,
        "end_date": None,
        "duration_months": 24,
        "commons": [{"id": 1, "name": "Park", "part": ""}],
        "parties": {},
        "support": {"forms": ["tools"], "notes": "", "amount": None},
        "report_interval_months": 6,
    }
    for key, value in changes.items():
        if key.startswith("support_"):
            terms["support"] = {**terms["support"], key.removeprefix("support_"): value}
        else:
            terms[key] = value
    return terms


def test_three_way_merge_per_article_and_per_term():
    base = _doc([("One", "a"), ("Two", "b"), ("Three", "c"), ("Four", "d")], _terms())
    theirs = _doc(
        [("One", "a2"), ("Two", "b"), ("Three", "c-theirs"), ("Four", "d-same")],
        _terms(duration_months=12, support_notes="gloves"),
    )
    mine = _doc(
        [("One", "a"), ("Two", "b2"), ("Three", "c-mine"), ("Four", "d-same"), ("Five", "e")],
        _terms(report_interval_months=3, support_notes="boots"),
    )
    merge = merge_contents(base, theirs, mine)
    by_title = {c.title: c.outcome for c in merge.clauses}
    assert by_title == {"One": THEIRS, "Two": MINE, "Three": CONFLICT, "Four": SAME, "Five": MINE}
    articles = merge.content["sections"][0]["articles"]
    assert articles[0]["generated"] == "commons"  # written again from the terms when saved
    assert [a["text"] for a in articles[1:]] == ["a2", "b2", "c-mine", "d-same", "e"]
    assert [c.index for c in merge.conflicts] == [3]  # its place, generated articles counted
    assert {t.key: t.outcome for t in merge.terms} == {
        "term": THEIRS,
        "report_interval_months": MINE,
        "support_notes": CONFLICT,
    }
    terms = merge.content["terms"]
    assert (terms["duration_months"], terms["report_interval_months"]) == (12, 3)
    assert terms["support"]["notes"] == "boots"  # a conflict starts from mine


def test_an_article_removed_by_one_side_is_removed_in_the_merge():
    base = _doc([("One", "a"), ("Two", "b")])
    theirs = _doc([("One", "a"), ("Two", "b2")])
    mine = _doc([("One", "a"), ("", "")])  # emptied in the editor: removed
    merge = merge_contents(base, theirs, mine)
    assert [c.outcome for c in merge.clauses] == [CONFLICT]
    assert merge.conflicts[0].mine is None and merge.conflicts[0].theirs == ("Two", "b2")
    removed = merge_contents(base, _doc([("One", "a")]), _doc([("One", "a2"), ("Two", "b")]))
    assert [a["text"] for a in removed.saved_content()["sections"][0]["articles"]] == [
        "generated",
        "a2",
    ]


def test_articles_are_lined_up_by_title_when_one_side_removed_or_added_some():
    base = _doc([("One", "a"), ("Two", "b"), ("Three", "c"), ("Four", "d")])
    theirs = _doc([("One", "a"), ("Three", "c"), ("New", "n"), ("Four", "d")])  # -Two, +New
    mine = _doc([("One", "a"), ("Two", "b"), ("Three", "c"), ("Four", "d2"), ("", "")])
    merge = merge_contents(base, theirs, mine)
    assert {c.title: c.outcome for c in merge.clauses} == {
        "Two": THEIRS,  # removed by theirs
        "New": THEIRS,
        "Four": MINE,
    }
    assert merge.conflicts == []
    saved = merge.saved_content()["sections"][0]["articles"]
    assert [(a["title"], a["text"]) for a in saved[1:]] == [
        ("One", "a"),
        ("Three", "c"),
        ("New", "n"),
        ("Four", "d2"),
    ]
    four = next(c for c in merge.clauses if c.title == "Four")
    assert four.theirs_at == 4  # its place in version 3's section, the generated one counted


def test_an_article_the_other_removed_is_not_put_back(co_design):
    pid, _cast, office, rep = co_design
    url = f"/proposals/{pid}/pact/edit"
    v2 = _versions(pid)[1]
    editable = _editable(v2.content)
    # Two typed articles of one section: the office removes the first, the group edits the next.
    si, ai, aj = next(
        (s, a, b)
        for (s, a, _k), (s2, b, _k2) in zip(editable, editable[1:], strict=False)
        if s == s2
    )
    removed = {f"s{si}-a{ai}-title": "", f"s{si}-a{ai}-text": ""}
    assert post_form(office, url, _form_from_page(v2, **removed)).status_code == 302
    refused = post_form(rep, url, _form_from_page(v2, **{f"s{si}-a{aj}-text": "Mine."}))
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Changed by both of you in different ways" not in page
    assert post_form(rep, url, _page_form(page)).status_code == 302
    v4 = _versions(pid)[3]
    before = [a["title"] for a in v2.content["sections"][si]["articles"]]
    after = [a["title"] for a in v4.content["sections"][si]["articles"]]
    assert after == before[:ai] + before[ai + 1 :]
    assert v4.content["sections"][si]["articles"][aj - 1]["text"] == "Mine."
