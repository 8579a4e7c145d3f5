"""Bidi controls: a name holding one is refused with a message; documents and pages that show
the pact text print each one as a visible marker, so nothing reads in another order than stored
("gnp.exe" behind a right-to-left override must never print as "exe.png"; issue 14, defect 9).
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from commons.auth.models import User
from commons.documents import rendering
from commons.documents.models import PactVersion
from commons.extensions import db
from commons.groups.models import ProponentGroup
from commons.inputs import BIDI_CONTROLS, show_bidi_controls
from commons.registry.models import Commons
from commons.uploads import operations as uploads
from tests import factories
from tests.api.helpers import Caller, token_for
from tests.conftest import csrf_token, login, post_form
from tests.documents.test_versions import _form_from_page
from tests.workflows.scenario import Cast, proposal_in

RLO = "\u202e"


def pdf_text(pdf: bytes) -> str:
    raw = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return " ".join(raw.split())


def test_every_embedding_override_isolate_and_mark_is_a_bidi_control():
    controls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    assert all(BIDI_CONTROLS.fullmatch(c) for c in controls)
    assert not BIDI_CONTROLS.search("Città di Bologna – مدينة, עיר \u200b")
    assert show_bidi_controls(f"a{RLO}b\u2066c") == "a[U+202E]b[U+2066]c"


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\u200f", "\u061c"])
def test_a_name_with_a_bidi_control_is_refused_in_the_registration_form(app, client, character):
    url = "/register"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "full_name": f"Mario{character} Rossi",
            "email": "mario@example.org",
            "password": "a long and unusual passphrase",
            "confirm": "a long and unusual passphrase",
            "locale": "en",
            "privacy": "y",
            "notice_version": "0",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"U+{ord(character):04X}" in page and "changes the order" in page
    assert 'value="Mario' in page  # what was typed is kept in the form
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_account_and_group_forms_refuse_a_name_with_an_override(app, client):
    user = factories.user(name="Rita Representative")
    db.session.commit()
    login(client, user.email)
    account = post_form(
        client, "/account", {"full_name": f"Rita {RLO}evitatneserpeR", "locale": ""}
    )
    assert account.status_code == 422 and "U+202E" in account.get_data(as_text=True)
    group = post_form(
        client, "/groups/new", {"name": f"Friends of the {RLO}krap", "kind": "association"}
    )
    assert group.status_code == 422 and "U+202E" in group.get_data(as_text=True)
    db.session.expire_all()
    assert user.full_name == "Rita Representative"
    assert db.session.scalar(select(func.count()).select_from(ProponentGroup)) == 0


def test_a_commons_named_with_an_override_is_refused_by_the_api(app, client):
    officer = factories.user("officer", name="Olga Officer")
    db.session.commit()
    office = Caller(client, token_for(officer))
    response = office.post(
        "/commons", json={"name": f"Park {RLO}gnp.exe", "kind": "park", "address": "Via Roma 1"}
    )
    body = response.get_json()
    assert response.status_code == 400, body
    assert "name" in body["errors"] and "U+202E" in body["detail"]
    assert db.session.scalar(select(func.count()).select_from(Commons)) == 0


def test_an_uploaded_file_name_loses_its_bidi_controls():
    name = uploads.sanitise_name(f"photo{RLO}gnp.pdf", "application/pdf")
    assert name == "photognp.pdf"
    assert not any(c in name for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_an_annex_named_with_an_override_prints_in_stored_order():
    content = {
        "sections": [
            {"key": "object", "title": "Object", "articles": []},
            {"key": "signatures", "title": "Signatures", "articles": []},
        ]
    }
    meta = {
        "approved_at": datetime(2026, 5, 25, tzinfo=UTC),
        "annexes": [{"kind": "photo", "name": f"{RLO}gnp.exe", "sha256": "ab" * 32}],
        "signatures": [
            {"name": f"Rita {RLO}ossoR", "role": "representative", "signed_at": "2026-05-26"}
        ],
    }
    html = rendering.render_pact_html(content, meta, "en")
    assert RLO not in html
    assert "“[U+202E]gnp.exe”" in html
    text = pdf_text(rendering.render_pact_pdf(content, meta, "en"))
    assert "[U+202E]gnp.exe" in text and "exe.png" not in text
    assert "Rita [U+202E]ossoR" in text


def test_the_version_page_and_the_comparison_show_bidi_controls_as_markers(app):
    cast = Cast()
    p = proposal_in("co_design", cast)
    v1 = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == p.id))
    office = app.test_client()
    login(office, cast.officer.email)
    i = [s["key"] for s in v1.content["sections"]].index("object")
    data = _form_from_page(v1, **{f"s{i}-a1-text": f"See the plan {RLO}gnp.exe."})
    assert post_form(office, f"/proposals/{p.id}/pact/edit", data).status_code == 302
    page = office.get(f"/proposals/{p.id}/pact/2").get_data(as_text=True)
    assert "See the plan [U+202E]gnp.exe." in page and RLO not in page
    diff = office.get(f"/proposals/{p.id}/pact/compare?a=1&b=2").get_data(as_text=True)
    assert "[U+202E]gnp.exe" in diff and RLO not in diff


def test_the_application_receipt_prints_a_title_with_an_override_in_stored_order(app, client):
    cast = Cast()
    p = proposal_in("submitted", cast)
    p.title = f"Care of {RLO}gnp.exe garden"
    db.session.commit()
    login(client, cast.representative.email)
    text = pdf_text(client.get(f"/apply/{p.id}/receipt.pdf").data)
    assert "Care of [U+202E]gnp.exe garden" in text and "exe.png" not in text


def test_the_history_report_prints_bidi_controls_as_markers():
    from commons.audit.history import render_history_pdf

    text = pdf_text(render_history_pdf(f"<p>Signed by Rita {RLO}ossoR for {RLO}gnp.exe</p>"))
    assert "Signed by Rita [U+202E]ossoR for [U+202E]gnp.exe" in text
