"""The case page shows the whole application, the proponent's contacts and the links the
office needs, exactly as the applicant checked them; nobody outside sees them."""

from __future__ import annotations

import html
import io
import re
from datetime import date

from werkzeug.datastructures import FileStorage

from commons.auth.models import Role
from commons.extensions import db
from commons.proposals import operations as proposal_ops
from commons.uploads import operations as uploads
from tests import factories
from tests.conftest import login
from tests.workflows.scenario import Cast, proposal_in

ROW = re.compile(
    r'<dt class="col-sm-3">(.*?)</dt>\s*<dd class="col-sm-\d+ mb-0 pre-wrap">(.*?)</dd>', re.S
)


def _answers(page: str) -> list[tuple[str, str]]:
    block = page.split('<dl class="application-answers">', 1)[1].split("</dl>", 1)[0]
    return [(html.unescape(k), html.unescape(v)) for k, v in ROW.findall(block)]


def _complete_group(cast: Cast):
    g = cast.group
    g.tax_code, g.email = "97012345678", "friends@example.org"
    g.phone, g.address = "+39 051 123456", "Via Mascarella 12, Bologna"
    db.session.commit()


def _full_draft(cast: Cast):
    p = factories.proposal(cast.group)
    proposal_ops.update_draft(
        p,
        actor=cast.representative,
        base_version=p.lock_version,
        support_requested=["tools", "training"],
        support_notes="Two rakes and a first-aid course.",
        requested_duration_months=18,
        start_date=date(2026, 9, 1),
        objectives="Keep the garden open to the neighbourhood.",
        activities="Weeding on Saturdays; a reading corner in summer.",
    )
    uploads.save_upload(
        FileStorage(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "statute.pdf"),
        owner=cast.representative,
        purpose="statute",
        proposal=p,
    )
    db.session.commit()
    return p


def test_the_case_page_shows_every_answer_as_the_check_page(app, client):
    cast = Cast()
    _complete_group(cast)
    p = _full_draft(cast)
    login(client, cast.representative.email)
    check = client.get(f"/apply/{p.id}/check").get_data(as_text=True)
    checked = _answers(check)
    assert ("Support from the city", "Tools, Training\nTwo rakes and a first-aid course.") in (
        checked
    )
    assert ("Duration", "18 months · from 1 September 2026") in checked
    assert ("Attachments", "Statute or founding act: statute.pdf") in checked
    # Submitted and taken in charge (set directly: the answers are what matters here).
    p.status, p.protocol_number = "under_review", f"2026/{p.id:06d}"
    db.session.commit()
    officer = app.test_client()
    login(officer, cast.officer.email)
    page = officer.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert _answers(page) == checked
    labels = [label for label, _value in checked]
    assert labels == [
        "Title",
        "Proponent",
        "Commons",
        "Objectives",
        "Activities",
        "Support from the city",
        "Duration",
        "Kind of pact",
        "Attachments",
    ]
    assert "Change" not in page.split('<dl class="application-answers">', 1)[1].split("</dl>")[0]


def test_the_case_page_shows_the_group_contacts_and_links_that_work(app, client):
    cast = Cast()
    _complete_group(cast)
    p = proposal_in("under_review", cast)
    login(client, cast.officer.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    contacts = page.split('class="row details proponent-contacts"', 1)[1].split("</dl>", 1)[0]
    for shown in (
        "97012345678",
        'href="mailto:friends@example.org"',
        'href="tel:+39051123456"',
        "+39 051 123456",
        "Via Mascarella 12, Bologna",
        "Rita Representative",
        cast.representative.email,
        "Informal group",
    ):
        assert shown in contacts, shown
    assert f'id="group-link" href="/groups/{cast.group.id}"' in page
    assert f'id="receipt-link" href="/apply/{p.id}/receipt.pdf"' in page
    group_page = client.get(f"/groups/{cast.group.id}")
    assert group_page.status_code == 200 and cast.group.name in group_page.get_data(as_text=True)
    receipt = client.get(f"/apply/{p.id}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.data.startswith(b"%PDF")


def test_missing_contacts_say_so(app, client):
    cast = Cast()
    p = proposal_in("under_review", cast)
    login(client, cast.officer.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    contacts = page.split('class="row details proponent-contacts"', 1)[1].split("</dl>", 1)[0]
    assert contacts.count("Not given") == 4  # tax code, e-mail, phone, address


def test_a_citizen_of_another_group_sees_none_of_it_and_gets_403(app, client):
    cast = Cast()
    _complete_group(cast)
    p = proposal_in("under_review", cast)
    stranger = factories.user(Role.CITIZEN, name="Sandro Stranger")
    factories.group(stranger)
    login(client, stranger.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    for private in ("97012345678", "friends@example.org", "Via Mascarella", "application-answers"):
        assert private not in page, private
    assert "receipt.pdf" not in page and f"/groups/{cast.group.id}" not in page
    assert client.get(f"/apply/{p.id}/receipt.pdf").status_code == 403
    assert client.get(f"/groups/{cast.group.id}").status_code == 403
    # The group's own member reads the case page in full.
    member = app.test_client()
    login(member, cast.member.email)
    assert "97012345678" in member.get(f"/proposals/{p.id}").get_data(as_text=True)


def test_the_version_being_approved_and_signed_is_named_and_linked(app, client):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    login(client, cast.legal.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "The pact text to approve" in page
    assert re.search(
        r"Version 1, saved on <time datetime=\"[^\"]+\">[^<]+</time> by Olga Officer", page
    )
    assert f'id="approved-version-link" href="/proposals/{p.id}/pact/1"' in page
    assert client.get(f"/proposals/{p.id}/pact/1").status_code == 200
    signing = proposal_in("awaiting_signatures", cast)
    page = client.get(f"/proposals/{signing.id}").get_data(as_text=True)
    assert "The pact text to sign" in page and f"/proposals/{signing.id}/pact/1" in page
    co_design = proposal_in("co_design", cast)
    page = client.get(f"/proposals/{co_design.id}").get_data(as_text=True)
    assert "approved-version-link" not in page


def test_italian_case_page(app, client):
    cast = Cast()
    _complete_group(cast)
    p = proposal_in("legal_review", cast)
    cast.legal.locale = "it"
    db.session.commit()
    login(client, cast.legal.email)
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert "Il proponente e i suoi recapiti" in page and "Telefono" in page
    assert "Il testo del patto da approvare" in page
    assert "La ricevuta della domanda (PDF)" in page
