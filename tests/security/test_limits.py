"""Limits with clear answers: every text has a maximum size, said when refused; PDFs print in
a child process bounded in time and memory (commons.limits, commons.documents.bounded)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from commons import limits
from commons.documents import rendering
from commons.documents.bounded import RenderRefused, render_bounded
from commons.documents.models import Document, PactVersion
from commons.extensions import db
from commons.proposals.models import Proposal, TechnicalOpinion
from tests import factories
from tests.api.helpers import Caller, token_for
from tests.conftest import csrf_token, login, post_form
from tests.documents.test_versions import _form_from_page
from tests.workflows.scenario import Cast, proposal_in

META = {"approved_at": datetime(2026, 5, 25, 10, 30, tzinfo=UTC), "pact": {"title": "Limits"}}
PROSE = "Il gruppo cura le aiuole del giardino ogni settimana e tiene pulito il prato. "


def _pact(chars: int, *, clause: int = limits.CLAUSE, unit: str = PROSE) -> dict:
    """A pact text of ``chars`` characters (its section's title included) in articles of at
    most ``clause`` characters."""
    articles, left = [], chars - len("Oggetto")
    while left > 0:
        size = min(clause, left)
        articles.append({"title": "", "text": (unit * (size // len(unit) + 1))[:size]})
        left -= size
    return {"sections": [{"key": "object", "title": "Oggetto", "articles": articles}]}


def _versions(proposal) -> int:
    return db.session.scalar(
        select(func.count()).select_from(PactVersion).where(PactVersion.proposal_id == proposal.id)
    )


# --- web forms -----------------------------------------------------------------------------------


def test_a_form_says_the_limit_and_keeps_what_was_typed(app, client):
    rep = factories.user(name="Rita Representative")
    proposal = factories.proposal(factories.group(rep), objectives="Plant trees")
    db.session.commit()
    login(client, rep.email)
    url = f"/apply/{proposal.id}/objectives"
    assert 'maxlength="10000"' in client.get(url).get_data(as_text=True)  # the browser helps
    typed = "Plant trees. " * 770 + "and more"  # 10,018 characters
    response = post_form(client, url, {"objectives": typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This text has 10,018 characters; at most 10,000 are accepted here." in page
    assert "Shorten it by 18 characters." in page
    assert typed in page  # what was typed is shown again
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).objectives == "Plant trees"


def test_the_limit_is_said_in_the_users_language(app, client):
    rep = factories.user(name="Rita Rappresentante")
    rep.locale = "it"
    proposal = factories.proposal(factories.group(rep))
    db.session.commit()
    login(client, rep.email)
    url = f"/apply/{proposal.id}/objectives"
    response = post_form(client, url, {"objectives": "x" * 10_001})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "al massimo 10.000" in page


def test_the_pact_editor_refuses_an_article_over_the_limit_and_keeps_it(app):
    cast = Cast()
    proposal = proposal_in("co_design", cast)
    v1 = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == proposal.id))
    rep = app.test_client()
    login(rep, cast.representative.email)
    url = f"/proposals/{proposal.id}/pact/edit"
    page = rep.get(url).get_data(as_text=True)
    assert f'maxlength="{limits.CLAUSE}"' in page
    object_index = [s["key"] for s in v1.content["sections"]].index("object")
    typed = "x" * (limits.CLAUSE + 5)
    data = _form_from_page(v1, **{f"s{object_index}-a1-text": typed})
    response = post_form(rep, url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is too long" in page and "at most 20,000 are accepted here" in page
    assert typed in page
    assert _versions(proposal) == 1


def test_the_pact_editor_refuses_a_whole_text_over_the_setting(app):
    cast = Cast()
    proposal = proposal_in("co_design", cast)
    app.config["PACT_TEXT_MAX_CHARS"] = 12_000  # the model text has about 10,700
    v1 = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == proposal.id))
    rep = app.test_client()
    login(rep, cast.representative.email)
    object_index = [s["key"] for s in v1.content["sections"]].index("object")
    new_slot = len(v1.content["sections"][object_index]["articles"])
    data = _form_from_page(
        v1,
        **{
            f"s{object_index}-a{new_slot}-title": "Watering",
            f"s{object_index}-a{new_slot}-text": "Twice a week. " * 150,
        },
    )
    response = post_form(rep, f"/proposals/{proposal.id}/pact/edit", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The pact text as a whole is too long." in page
    assert "at most 12,000 are accepted here" in page
    assert _versions(proposal) == 1


def test_a_form_body_too_large_is_413_with_the_limit(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    response = client.post("/login", data={"email": "a@example.org", "password": "p" * 3_000_000})
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "at most 2 MB may be sent at a time" in page and "Nothing was saved" in page


# --- the API -------------------------------------------------------------------------------------


def test_the_api_names_the_field_and_its_limit(app, client):
    rep = factories.user(name="Rita Representative")
    group = factories.group(rep)
    db.session.commit()
    api = Caller(client, token_for(rep))
    response = api.post("/proposals", json={"title": "T" * 201, "group_id": group.id})
    assert response.status_code == 400
    body = response.get_json()
    assert body["errors"]["title"] == ["At most 200 characters are accepted here."]


def test_the_api_refuses_a_pact_text_over_its_limits(app, client):
    cast = Cast()
    proposal = proposal_in("co_design", cast)
    api = Caller(client, token_for(cast.representative))
    url = f"/proposals/{proposal.id}/pact-versions"
    article = {"title": "", "text": "x" * (limits.CLAUSE + 1)}
    one_long = api.post(
        url,
        json={
            "base_version": 1,
            "content": {"sections": [{"key": "object", "articles": [article]}]},
        },
    )
    assert one_long.status_code == 400
    assert (
        "At most 20000 characters are accepted here." in one_long.get_json()["errors"]["content"][0]
    )
    app.config["PACT_TEXT_MAX_CHARS"] = 30_000
    too_much = api.post(url, json={"base_version": 1, "content": _pact(30_001)})
    assert too_much.status_code == 400
    error = too_much.get_json()["errors"]["content"][0]
    assert "The pact text as a whole is too long." in error and "at most 30,000" in error
    lines = api.post(
        url, json={"base_version": 1, "content": _pact(2 * (limits.PACT_LINES + 1), unit="a\n")}
    )
    assert lines.status_code == 400
    assert "at most 1,000 are accepted" in lines.get_json()["errors"]["content"][0]
    assert _versions(proposal) == 1


def test_an_api_body_too_large_is_413_with_the_limit(app, client):
    rep = factories.user(name="Rita Representative")
    db.session.commit()
    api = Caller(client, token_for(rep))
    response = api.post("/proposals", json={"title": "x" * (limits.API_BODY_BYTES + 1)})
    assert response.status_code == 413
    body = response.get_json()
    assert body["max_bytes"] == limits.API_BODY_BYTES
    assert "at most 4,194,304 bytes (4 MB)" in body["detail"]


def test_text_stored_before_a_limit_still_displays_and_prints(app):
    """Limits apply to writes: an older, longer article is shown and printed as it is (the
    preview goes through the real bounded child process)."""
    from workflows.guards import content_hash

    app.config["RENDER_ISOLATED"] = True
    cast = Cast()
    proposal = proposal_in("co_design", cast)
    version = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == proposal.id))
    long_text = "Older and longer. " * 1_200  # 21,600 characters, over today's 20,000
    sections = [dict(s) for s in version.content["sections"]]
    sections[-1] = {**sections[-1], "articles": [{"title": "Old", "text": long_text.strip()}]}
    version.content = {**version.content, "sections": sections}
    version.content_hash = content_hash(version.content)
    db.session.commit()
    client = app.test_client()
    login(client, cast.representative.email)
    url = f"/proposals/{proposal.id}/pact/{version.number}"
    page = client.get(url)
    assert page.status_code == 200 and long_text.strip() in page.get_data(as_text=True)
    preview = client.post(f"{url}/preview", data={"csrf_token": csrf_token(client, url)})
    assert preview.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1


# --- bounded rendering ---------------------------------------------------------------------------


def test_the_bounded_render_gives_the_same_bytes_in_a_child_process(app):
    content = _pact(2_000)
    with app.app_context():
        bounded = render_bounded(rendering.render_pact_pdf, content, META, "it", isolated=True)
    assert bounded == rendering.render_pact_pdf(content, META, "it")
    assert not multiprocessing.active_children()


def test_a_pact_text_at_its_limit_prints_within_the_bound(app):
    content = _pact(limits.PACT_TEXT)
    assert limits.pact_text_chars(content) == limits.PACT_TEXT
    limits.check_pact_text(content)  # accepted by the editor and the API
    pdf = render_bounded(
        rendering.render_pact_pdf,
        content,
        META,
        "it",
        isolated=True,
        timeout=limits_timeout(),
        memory_mb=1024,
    )
    assert pdf.startswith(b"%PDF-")


def limits_timeout() -> float:
    """The default bound (COMMONS_RENDER_TIMEOUT)."""
    from commons.config import SETTINGS

    return float(SETTINGS["COMMONS_RENDER_TIMEOUT"][0])


def test_a_runaway_render_is_stopped_at_the_timeout(app):
    # A thousand one-letter lines take seconds to lay out: far more than 0.5 s.
    content = _pact(2_000, unit="a\n")
    with pytest.raises(RenderRefused) as refused:
        render_bounded(rendering.render_pact_pdf, content, META, "it", isolated=True, timeout=0.5)
    assert refused.value.reason == "timeout"
    assert "too long to print within 0.5 seconds" in refused.value.message
    assert not multiprocessing.active_children()  # the child was stopped, not left running


def test_a_render_over_the_memory_limit_is_stopped(app):
    with pytest.raises(RenderRefused) as refused:
        render_bounded(
            rendering.render_pact_pdf, _pact(5_000), META, "it", isolated=True, memory_mb=64
        )
    assert refused.value.reason == "memory"
    assert "more than the 64 MB of memory" in refused.value.message
    assert not multiprocessing.active_children()


def test_a_preview_over_the_bound_says_so_and_stores_nothing(app):
    app.config.update(RENDER_ISOLATED=True, RENDER_TIMEOUT=0.2)
    cast = Cast()
    proposal = proposal_in("co_design", cast)
    version = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == proposal.id))
    client = app.test_client()
    login(client, cast.representative.email)
    url = f"/proposals/{proposal.id}/pact/{version.number}"
    response = client.post(f"{url}/preview", data={"csrf_token": csrf_token(client, url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "too long to print within 0.2 seconds" in page
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


def test_the_limits_page_lists_every_limit():
    from commons.config import PROJECT_ROOT

    page = (PROJECT_ROOT / "docs" / "limits.md").read_text()
    for name in (
        "PROTOCOL",
        "TAX_CODE",
        "PHONE",
        "SHORT",
        "NAME",
        "EMAIL",
        "LINE",
        "PASSWORD",
        "REASON",
        "COMMENT",
        "PARAGRAPH",
        "LONG_TEXT",
        "REPORT",
        "CLAUSE",
        "ARTICLE_TITLE",
        "PACT_TEXT",
        "PACT_LINES",
        "GEOMETRY",
        "SECTIONS",
        "ARTICLES",
    ):
        value = getattr(limits, name)
        assert f"| {value:,} |" in page or f"**{value:,}**" in page or f"most {value:,}" in page, (
            name
        )


def test_office_texts_typed_outside_forms_are_limited_too(app, client):
    """Meeting minutes and opinions are read from the request, not a form class: the
    operations check them (a department over its column's 200 characters was a 500 on
    PostgreSQL)."""
    cast = Cast()
    proposal = proposal_in("co_design", cast)
    login(client, cast.officer.email)
    case = f"/proposals/{proposal.id}"
    minutes = "m" * (limits.REPORT + 1)
    meeting = post_form(
        client, f"{case}/meetings", {"held_on": "2026-11-10", "minutes": minutes}, token_from=case
    )
    page = meeting.get_data(as_text=True)
    assert meeting.status_code == 422
    assert "at most 20,000 are accepted here" in page and minutes in page
    department = "D" * (limits.NAME + 1)
    opinion = post_form(client, f"{case}/opinions", {"department": department}, token_from=case)
    assert opinion.status_code == 422
    assert "at most 200 are accepted here" in opinion.get_data(as_text=True)
    assert db.session.query(TechnicalOpinion).filter_by(proposal_id=proposal.id).count() == 0


def test_the_text_of_a_step_is_limited_on_the_case_page(app, client):
    cast = Cast()
    proposal = proposal_in("under_review", cast)
    login(client, cast.officer.email)
    case = f"/proposals/{proposal.id}"
    message = "Send the plan. " * 1_400  # 21,000 characters
    response = post_form(
        client,
        f"{case}/actions/request_integration",
        {"message": message, "expected_version": proposal.lock_version},
        token_from=case,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at most 20,000 are accepted here" in page and message.strip() in page
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == "under_review"
