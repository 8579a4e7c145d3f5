"""One truth for a pact's term: the terms agreed in co-design, frozen at approval, everywhere.

The application asks for 24 months from the signature; co-design changes the term to 18 months
from 1 September 2026 and the reports to every 4 months. After approval and both signatures the
signed PDF, the public and case pages, the commons page, pacts.csv and pacts.json, the Atom feed,
the API and the expiry clock all say 1 September 2026 - 1 March 2028.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from commons.auth.models import Role
from commons.documents import clauses, storage
from commons.documents import operations as documents
from commons.documents.models import Document, PactVersion
from commons.documents.terms import Terms, problems, terms_of
from commons.extensions import db
from commons.formatting import day_text
from commons.monitoring.operations import tick
from tests.api.helpers import Caller, token_for
from tests.conftest import login, post_form
from tests.documents.test_versions import _form_from_page
from tests.factories import PASSWORD
from workflows import SYSTEM, GuardRefused, fire

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START, END = date(2026, 9, 1), date(2028, 3, 1)  # 18 months from 1 September 2026


def shown(day: date) -> str:
    """A date as the pages and the feed print it (the open data and the API keep ISO dates)."""
    return day_text(day, "en")


def go(proposal, trigger, actor, at, **data):
    event = fire(proposal, trigger, actor, now=at, **data)
    db.session.commit()
    return event


def pdf_text(document: Document, app) -> str:
    path = storage.path_for(app.config["STORAGE_DIR"], document.sha256)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _pact_in_co_design(make):
    citizen = make.user(Role.CITIZEN, name="Carla Citizen")
    officer = make.user(Role.OFFICER, name="Olga Officer")
    legal = make.user(Role.LEGAL, name="Leo Legal")
    beds = make.commons(name="Giardino Margherita")
    p = make.proposal(
        make.group(citizen, name="Friends of the beds"),
        title="Flower beds in common",
        requested_duration_months=24,
        support_requested=["tools"],
        commons=[beds],
    )
    go(p, "submit", citizen, T0)
    go(p, "take_in_charge", officer, T0 + timedelta(days=1))
    go(p, "admit", officer, T0 + timedelta(days=2))
    go(p, "close_notice", SYSTEM, T0 + timedelta(days=18))
    documents.save_version(p, author=officer)
    db.session.commit()
    return p, citizen, officer, legal, beds


def test_the_term_agreed_in_co_design_is_the_term_everywhere(app, make):
    p, citizen, officer, legal, beds = _pact_in_co_design(make)
    first = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == p.id))
    assert terms_of(first).duration_months == 24 and terms_of(first).start_date is None

    # Co-design: the office changes the term and the report interval in the editor.
    office = app.test_client()
    login(office, officer.email)
    url = f"/proposals/{p.id}/pact/edit"
    page = office.get(url).get_data(as_text=True)
    assert "written from the terms above" in page
    data = _form_from_page(
        first,
        terms_start_date=START.isoformat(),
        terms_duration_months="18",
        terms_report_interval_months="4",
        terms_support=["tools", "insurance"],
        **{f"terms_part-{beds.id}": "the north flower beds"},
        comment="18 months from September",
    )
    assert post_form(office, url, data).status_code == 302
    draft = db.session.scalar(
        select(PactVersion).where(PactVersion.proposal_id == p.id, PactVersion.number == 2)
    )
    terms = terms_of(draft)
    assert (terms.start_date, terms.duration_months, terms.report_interval_months) == (
        START,
        18,
        4,
    )
    duration = next(s for s in draft.content["sections"] if s["key"] == "duration")
    assert duration["articles"][0]["generated"] == "duration"
    assert (
        f"takes effect on {clauses.format_date(START, 'en')} and remains in force until "
        f"{clauses.format_date(END, 'en')}" in duration["articles"][0]["text"]
    )
    case = office.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Term proposed in draft 2" in case and f"{shown(START)} – {shown(END)}" in case
    public = app.test_client().get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "Requested term" in public and "24 months from the last signature" in public

    go(p, "agree_draft", officer, T0 + timedelta(days=25))
    go(p, "approve", legal, T0 + timedelta(days=30), act_number="DD 7/2026", act_date="2026-04-01")
    assert (p.start_date, p.end_date) == (START, END)  # the cache of the approved terms
    sign = {"consent": "y", "password": PASSWORD}
    go(p, "sign", citizen, T0 + timedelta(days=31), full_name="Carla Citizen", **sign)
    go(p, "sign", legal, T0 + timedelta(days=32), full_name="Leo Legal", **sign)
    assert p.status == "active"
    assert (p.start_date, p.end_date) == (START, END)
    assert p.next_report_due_on == date(2027, 1, 1)  # 4 months from the start, as agreed

    signed = db.session.scalar(
        select(Document).where(Document.proposal_id == p.id, Document.kind == "signed")
    )
    text = pdf_text(signed, app)
    assert (
        f"takes effect on {clauses.format_date(START, 'en')} and remains in force until "
        f"{clauses.format_date(END, 'en')}" in text
    )
    assert "24 months" not in text and "the north flower beds" in text
    assert "every 4 months" in text

    visitor = app.test_client()
    term = f"{shown(START)} – {shown(END)}"
    public = visitor.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert re.search(r">Term</dt>\s*<dd[^>]*>" + re.escape(term), public)
    assert term in office.get(f"/proposals/{p.id}").get_data(as_text=True)
    commons_page = visitor.get(f"/commons/{beds.id}").get_data(as_text=True)
    assert f"term from {shown(START)} to {shown(END)}" in commons_page

    rows = list(csv.DictReader(io.StringIO(visitor.get("/open-data/pacts.csv").get_data(True))))
    row = next(r for r in rows if r["id"] == str(p.id))
    assert (row["start_date"], row["end_date"]) == (START.isoformat(), END.isoformat())
    item = next(i for i in visitor.get("/open-data/pacts.json").get_json() if i["id"] == p.id)
    assert (item["start_date"], item["end_date"]) == (START.isoformat(), END.isoformat())

    feed = visitor.get("/feeds/pacts.atom").get_data(as_text=True)
    assert f"In force from {shown(START)} to {shown(END)}." in feed

    api = Caller(app.test_client(), token_for(citizen)).get(f"/proposals/{p.id}").get_json()
    assert (api["start_date"], api["end_date"], api["term_basis"]) == (
        START.isoformat(),
        END.isoformat(),
        "approved",
    )

    # The expiry clock: in force on its last day, expired the day after.
    noon = datetime(END.year, END.month, END.day, 11, 0, tzinfo=UTC)
    tick(noon)
    db.session.commit()
    assert p.status != "expired"
    tick(noon + timedelta(days=1))
    db.session.commit()
    assert p.status == "expired"


def test_a_pact_from_the_last_signature_runs_the_agreed_months(app, make):
    p, citizen, officer, legal, _beds = _pact_in_co_design(make)
    content = documents.default_content(p)
    content["terms"] = {**content["terms"], "duration_months": 18}
    documents.save_version(p, author=officer, content=content)
    db.session.commit()
    go(p, "agree_draft", officer, T0 + timedelta(days=25))
    go(p, "approve", legal, T0 + timedelta(days=30), act_number="DD 8/2026", act_date="2026-04-01")
    assert (p.start_date, p.end_date) == (None, None)  # fixed by the last signature
    sign = {"consent": "y", "password": PASSWORD}
    go(p, "sign", citizen, T0 + timedelta(days=31), full_name="Carla Citizen", **sign)
    go(p, "sign", legal, T0 + timedelta(days=40), full_name="Leo Legal", **sign)
    assert (p.start_date, p.end_date) == (date(2026, 4, 11), date(2027, 10, 11))


def test_approval_refuses_terms_beyond_the_maximum_term(app, make):
    p, _citizen, officer, legal, _beds = _pact_in_co_design(make)
    content = documents.default_content(p)
    # Written past the editor's check (e.g. a profile whose maximum was lowered since).
    content["terms"] = {**content["terms"], "start_date": "2026-09-01", "end_date": "2031-09-01"}
    content["terms"]["duration_months"] = None
    db.session.add(PactVersion(proposal_id=p.id, number=2, content=content, content_hash="x" * 64))
    db.session.commit()
    go(p, "agree_draft", officer, T0 + timedelta(days=25))
    with pytest.raises(GuardRefused, match="maximum term of 48 months"):
        fire(
            p,
            "approve",
            legal,
            now=T0 + timedelta(days=30),
            act_number="DD 9",
            act_date="2026-04-01",
        )


def test_terms_validation_names_each_field():
    ok = Terms(start_date=START, duration_months=18, report_interval_months=6)
    assert problems(ok, max_months=48) == {}
    found = problems(
        Terms(
            start_date=START,
            end_date=date(2026, 8, 1),
            duration_months=60,
            report_interval_months=0,
            support=("helicopters",),
        ),
        max_months=48,
    )
    assert found == {
        "end_date": "The end date must come after the start date.",
        "duration_months": "At most 48 months: the regulation's maximum term.",
        "report_interval_months": "At least one month.",
        "support": "Choose among the forms of support listed.",
    }
    assert problems(Terms(report_interval_months=6), max_months=48) == {
        "duration_months": "Give an end date or a duration in months."
    }
    both = Terms(end_date=END, duration_months=12, report_interval_months=6)
    assert problems(both, max_months=48)["end_date"] == (
        "Give either an end date or a duration, not both."
    )
    long = Terms(start_date=START, end_date=date(2031, 1, 1), report_interval_months=6)
    assert "maximum term of 48 months" in problems(long, max_months=48)["end_date"]
    assert problems(Terms(duration_months=6), max_months=48, commons_required=True) == {
        "commons": "Choose at least one commons the pact covers."
    }
    stored = Terms.from_dict(ok.to_dict())
    assert stored == ok


def test_the_editor_refuses_bad_terms_and_keeps_what_was_typed(app, make):
    p, _citizen, officer, _legal, beds = _pact_in_co_design(make)
    first = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == p.id))
    office = app.test_client()
    login(office, officer.email)
    url = f"/proposals/{p.id}/pact/edit"
    data = _form_from_page(
        first,
        terms_start_date="1st of September",
        terms_duration_months="eighteen",
        terms_report_interval_months="0",
        **{f"terms_part-{beds.id}": "the north flower beds"},
    )
    response = post_form(office, url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="1st of September"' in page and 'value="eighteen"' in page
    assert "the north flower beds" in page
    assert "A date as YYYY-MM-DD, such as 2026-09-01." in page
    assert "A whole number of months, such as 18." in page
    assert "At least one month." in page
    data = _form_from_page(
        first,
        terms_start_date="2026-09-01",
        terms_end_date="2026-06-30",
        terms_duration_months="",
    )
    page = post_form(office, url, data).get_data(as_text=True)
    assert "The end date must come after the start date." in page
    assert 'value="2026-06-30"' in page
    data = _form_from_page(first, terms_duration_months="60")
    page = post_form(office, url, data).get_data(as_text=True)
    assert "At most 48 months: the regulation&#39;s maximum term." in page
    versions = db.session.scalars(select(PactVersion).where(PactVersion.proposal_id == p.id))
    assert [v.number for v in versions] == [1]  # nothing saved


def test_the_editor_shows_the_terms_in_italian(app, make):
    p, _citizen, officer, _legal, _beds = _pact_in_co_design(make)
    officer.locale = "it"
    db.session.commit()
    office = app.test_client()
    login(office, officer.email)
    first = db.session.scalar(select(PactVersion).where(PactVersion.proposal_id == p.id))
    page = post_form(
        office,
        f"/proposals/{p.id}/pact/edit",
        _form_from_page(first, terms_duration_months="x"),
    ).get_data(as_text=True)
    assert "Un numero intero di mesi, per esempio 18." in page
    assert "scritto dai termini qui sopra" in page
    assert json.dumps(first.content["terms"])  # stored as plain JSON
