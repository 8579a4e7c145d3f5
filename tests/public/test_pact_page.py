"""The public page of a pact, and what no public page may show of a proposal in co-design."""

from __future__ import annotations

from datetime import date, timedelta

from commons.audit.operations import append_event
from commons.auth.models import Role
from commons.documents import operations as documents
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.proposals import operations as proposal_ops
from tests.conftest import login
from tests.workflows.scenario import NOW, Cast, approve_and_sign, proposal_in
from workflows import fire

SECRETS = (
    "PRIVATE-OBJECTIVES-TEXT",
    "PRIVATE-ACTIVITIES-TEXT",
    "PRIVATE-SUPPORT-NOTES",
    "PRIVATE-MINUTES-TEXT",
    "PRIVATE-ATTENDEES",
    "PRIVATE-OPINION-TEXT",
    "PRIVATE-DRAFT-CLAUSE",
    "PRIVATE-OFFICER-NOTE",
    "PRIVATE-INTEGRATION-MESSAGE",
    "Rita Representative",
    "Olga Officer",
)


def _co_design_with_private_fields(cast: Cast):
    """A proposal in co-design whose every private part carries a recognisable text."""
    p = proposal_in("under_review", cast)
    fire(p, "request_integration", cast.officer, now=NOW, message="PRIVATE-INTEGRATION-MESSAGE")
    fire(p, "integrate", cast.representative, now=NOW, answer="Here it is.")
    p.status = "co_design"  # set-up shortcut, as tests/workflows/scenario.py does
    p.objectives = "PRIVATE-OBJECTIVES-TEXT"
    p.activities = "PRIVATE-ACTIVITIES-TEXT"
    p.support_notes = "PRIVATE-SUPPORT-NOTES"
    db.session.flush()
    proposal_ops.record_meeting(
        p,
        actor=cast.officer,
        held_on=date(2026, 5, 2),
        attendees="PRIVATE-ATTENDEES",
        minutes="PRIVATE-MINUTES-TEXT",
    )
    opinion = proposal_ops.request_opinion(p, actor=cast.officer, department="Green areas")
    proposal_ops.record_opinion(
        opinion, actor=cast.officer, positive=True, text="PRIVATE-OPINION-TEXT"
    )
    content = documents.default_content(p)
    content["sections"][0]["articles"][0]["text"] = "PRIVATE-DRAFT-CLAUSE"
    documents.save_version(p, author=cast.officer, content=content)
    append_event(
        "officer_note",
        actor=cast.officer,
        actor_role="officer",
        proposal=p,
        payload={"note": "PRIVATE-OFFICER-NOTE"},
        public=False,
    )
    db.session.commit()
    return p


def _pages(client, p) -> dict[str, str]:
    commons_id = p.commons[0].id
    urls = (
        f"/pacts/{p.id}",
        f"/proposals/{p.id}",
        f"/commons/{commons_id}",
        "/commons/",
        "/commons/map.geojson",
        "/",
    )
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    return pages


def test_a_proposal_in_co_design_shows_none_of_its_private_fields_publicly(client, make):
    cast = Cast()
    p = _co_design_with_private_fields(cast)
    pages = _pages(client, p)
    for url, body in pages.items():
        for secret in SECRETS:
            assert secret not in body, (url, secret)
    page = pages[f"/pacts/{p.id}"]
    # What is public: title, state, protocol, the commons, the public steps of its history.
    assert p.title in page and "Co-design" in page and p.protocol_number in page
    assert p.commons[0].name in page
    # The integration request is a public step; its message is not.
    assert "The office asked the proponents for more information." in page
    assert "The proponents&#39; representative sent the information the office asked for." in page
    # The draft text is not reachable either.
    assert client.get(f"/proposals/{p.id}/pact").status_code in (302, 403)


def test_a_citizen_who_is_not_a_proponent_sees_no_private_field_either(client, make):
    cast = Cast()
    p = _co_design_with_private_fields(cast)
    stranger = make.user(Role.CITIZEN, email="stranger@example.org", name="Sara Stranger")
    login(client, stranger.email)
    for url, body in _pages(client, p).items():
        for secret in SECRETS:
            assert secret not in body, (url, secret)


def test_even_the_proponent_sees_only_public_parts_on_the_public_page(client, make):
    cast = Cast()
    p = _co_design_with_private_fields(cast)
    login(client, cast.representative.email)
    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    # The header and the welcome message name who is logged in: look at the page's own content.
    page = page.split('<nav aria-label="Breadcrumb">', 1)[1].split("</main>", 1)[0]
    for secret in SECRETS:
        assert secret not in page, secret
    # ...while their case page does show them their own proposal.
    assert "PRIVATE-OBJECTIVES-TEXT" in client.get(f"/proposals/{p.id}").get_data(as_text=True)


def test_a_draft_has_no_public_page(client, make):
    cast = Cast()
    draft = proposal_in("draft", cast)
    assert client.get(f"/pacts/{draft.id}").status_code == 404
    assert client.get("/pacts/999999").status_code == 404


def test_a_signed_pact_shows_its_timeline_state_documents_and_reports(client, make):
    cast = Cast()
    p = proposal_in("legal_review", cast)
    approve_and_sign(cast, p)
    assert p.status == "active"
    db.session.add(
        MonitoringReport(
            proposal_id=p.id,
            author_id=cast.representative.id,
            filed_at=NOW + timedelta(days=30),
            text="Six clean-ups with 20 volunteers.",
            indicators={"volunteer_hours": 120},
        )
    )
    db.session.commit()

    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "This pact is in force." in page and "Active" in page
    assert "Rita Representative" in page  # the representative's name on a signed pact is public
    assert "DD 5/2026" in page and "2026-05-30" in page
    # Timeline: approval and the signatures, in order, with dates; nobody's name.
    assert page.index("The legal officer approved the pact with act DD 5/2026") < page.rindex(
        "The legal officer signed the pact."
    )
    assert "The proponents&#39; representative signed the pact." in page
    assert "Leo Legal" not in page
    # The signed PDF, downloadable by anyone.
    signed = documents.latest_document(p, "signed")
    assert f"/documents/{signed.sha256}.pdf" in page
    pdf = client.get(f"/documents/{signed.sha256}.pdf")
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    final = documents.latest_document(p, "final")
    assert final is None or f"/documents/{final.sha256}.pdf" not in page
    # The monitoring report, with its indicators.
    assert "Six clean-ups with 20 volunteers." in page
    assert "Volunteer hours" in page and "120" in page


def test_a_proposal_under_notice_shows_its_closing_date(client, make):
    cast = Cast()
    p = proposal_in("public_notice", cast)
    p.notice_ends_at = NOW + timedelta(days=10)
    db.session.commit()
    page = client.get(f"/pacts/{p.id}").get_data(as_text=True)
    assert "under public notice until 11 June 2026" in page
    assert "Rita Representative" not in page
    assert "No monitoring report has been filed yet." in page
    assert "The signed pact is published here once both parties have signed it." in page
