"""The auditors' area: search, a pact's complete history page and its PDF report."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from commons.audit import history
from commons.audit.models import AuditEvent
from commons.documents.models import Document, PactVersion
from commons.extensions import db

# The app on a copy of the pacts made once per module (tests/audit/test_exports.py).
from tests.audit.test_exports import app, pacts, pacts_snapshot  # noqa: F401 - fixtures
from tests.conftest import login


def _found(page: str) -> set[str]:
    return set(re.findall(r'href="/audit/pacts/(\d+)"', page))


def test_only_auditors_see_the_area(app, client, pacts):  # noqa: F811
    cast, signed, *_ = pacts
    assert client.get("/audit/").status_code == 302  # to the login page
    for user in (cast.officer, cast.admin, cast.legal, cast.representative):
        other = app.test_client()
        login(other, user.email)
        assert other.get("/audit/").status_code == 403
        assert other.get(f"/audit/pacts/{signed.id}").status_code == 403
        assert other.get(f"/audit/pacts/{signed.id}/history.pdf").status_code == 403
        assert 'href="/audit/"' not in other.get("/").get_data(as_text=True)
    login(client, cast.auditor.email)
    assert 'href="/audit/"' in client.get("/").get_data(as_text=True)


def test_search_by_each_filter(app, client, pacts):  # noqa: F811
    cast, signed, co_design, draft = pacts
    login(client, cast.auditor.email)
    everything = _found(client.get("/audit/").get_data(as_text=True))
    assert everything == {str(signed.id), str(co_design.id)}  # drafts are the proponents' own
    signed.commons[0].name = "Orto dei Ciliegi"
    db.session.commit()
    searches = {
        f"protocol={signed.protocol_number}": {signed.id},
        "commons=CILIEGI": {signed.id},
        "commons=%": set(),  # typed text, not a pattern
        "state=co_design": {co_design.id},
        f"officer={cast.officer.email.upper()}": {signed.id, co_design.id},
        "officer=nobody@example.org": set(),
        "district=Centro": {signed.id, co_design.id},
        "date_from=2000-01-01&date_to=2000-01-02": set(),
        "date_from=2000-01-01": {signed.id, co_design.id},
    }
    for query, expected in searches.items():
        response = client.get(f"/audit/?{query}")
        assert response.status_code == 200, query
        assert _found(response.get_data(as_text=True)) == {str(i) for i in expected}, query


def test_search_pages_by_keyset(app, client, pacts, monkeypatch):  # noqa: F811
    cast, signed, co_design, _draft = pacts
    from tests.workflows.scenario import proposal_in

    more = [proposal_in("under_review", cast) for _ in range(3)]
    monkeypatch.setattr(history, "PAGE_SIZE", 2)
    login(client, cast.auditor.email)
    seen, url = [], "/audit/?state=&officer="
    while url:
        page = client.get(url).get_data(as_text=True)
        ids = sorted((int(i) for i in _found(page)), reverse=True)
        assert len(ids) <= 2
        seen += ids
        nxt = re.search(r'rel="next" href="([^"]+)"', page)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert seen == sorted([signed.id, co_design.id, *(p.id for p in more)], reverse=True)


def test_history_page_shows_everything(app, client, pacts):  # noqa: F811
    cast, signed, *_ = pacts
    login(client, cast.auditor.email)
    page = client.get(f"/audit/pacts/{signed.id}").get_data(as_text=True)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.proposal_id == signed.id)).all()
    assert len(events) >= 3
    for event in events:
        assert event.hash in page and event.prev_hash in page
    assert "Leo Legal (legal)" in page and "DD 5/2026" in page  # actor, role, act reference
    for version in db.session.scalars(
        select(PactVersion).where(PactVersion.proposal_id == signed.id)
    ):
        assert version.content_hash in page
    documents = db.session.scalars(select(Document).where(Document.proposal_id == signed.id))
    for document in documents:
        assert f'href="/documents/{document.sha256}.pdf"' in page
    assert "Rita Representative" in page and "=SUM(A1) six clean-ups" in page  # sign., report
    head = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert head.hash in page
    assert client.get("/audit/pacts/99999").status_code == 404


def test_drafts_are_not_shown(app, client, pacts):  # noqa: F811
    cast, _signed, _co_design, draft = pacts
    login(client, cast.auditor.email)
    assert client.get(f"/audit/pacts/{draft.id}").status_code == 404


def test_pdf_history_report_carries_the_hashes(app, client, pacts):  # noqa: F811
    cast, signed, *_ = pacts
    login(client, cast.auditor.email)
    response = client.get(f"/audit/pacts/{signed.id}/history.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.get_data()))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert signed.protocol_number in text
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.proposal_id == signed.id)):
        assert event.hash in text
    head = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert head.hash in text
    # Only the vendored fonts, loaded through the static-files fetcher, are embedded.
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(
        re.fullmatch(r"/[A-Z]{6}\+Report-(Serif|Serif-Bold|Mono)", f) for f in fonts
    )
