"""A citizen's whole way in a real browser: registration, the guided application, the case
handled by the office to an active pact, and the first monitoring report."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from commons.auth.models import Role
from commons.db import utcnow
from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.proposals.models import Proposal
from tests import factories
from tests.auth.mail import mailed_link
from tests.e2e.conftest import log_in, log_out
from tests.e2e.scenarios import act, open_case, png, status_of

NEW_PASSWORD = "a garden for the whole street"


def _staff(live) -> dict:
    with live.data():
        people = {
            "officer": factories.user(Role.OFFICER, name="Olga Officer").email,
            "legal": factories.user(Role.LEGAL, name="Leo Legal").email,
            "garden": factories.commons(name="Giardino Lame", district="Navile").name,
        }
        factories.commons(name="Piazza Verdi", district="Santo Stefano", latitude=44.496)
        db.session.remove()
    return people


def _save(page, button: str = "Save and continue") -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def _the_proposal(live) -> Proposal:
    with live.data():
        proposal = db.session.scalars(select(Proposal)).one()
        db.session.expunge(proposal)
        db.session.remove()
    return proposal


def test_an_ordinary_pact_from_registration_to_active_and_a_first_report(page, live):
    staff = _staff(live)

    # Registration: a new citizen account, confirmed by the link in the mail it sends.
    page.goto(f"{live.url}/register")
    page.get_by_label("Full name").fill("Carla Cittadini")
    page.get_by_label("E-mail address").fill("carla@example.org")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Privacy notice (art. 13")).to_be_visible()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    expect(page.get_by_text("We sent a message to carla@example.org.")).to_be_visible()
    with live.data():
        link = mailed_link("carla@example.org", "/account/verify/")
        db.session.remove()
    page.goto(f"{live.url}{link}")
    expect(page.get_by_text("Your e-mail address carla@example.org is confirmed.")).to_be_visible()
    page.get_by_label("E-mail address").fill("carla@example.org")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Welcome, Carla Cittadini.")).to_be_visible()

    # The guided application. Step 1 creates the group (she represents none yet).
    page.get_by_role("link", name="My proposals").click()
    page.get_by_role("link", name="Apply for a pact").click()
    expect(page.get_by_text("Step 1 of 8")).to_be_visible()
    page.get_by_label("Title of the proposal").fill("Care of Giardino Lame")
    assert page.get_by_label("Who proposes").input_value() == "new"
    page.get_by_label("Name of the new group").fill("Amici delle Lame")
    page.get_by_label("Kind of the new group").select_option("informal_group")
    _save(page)

    expect(page.get_by_role("heading", name="The commons")).to_be_visible()
    page.get_by_label("District").select_option("Navile")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert page.get_by_role("checkbox", name="Piazza Verdi").count() == 0
    page.get_by_role("checkbox", name="Giardino Lame").check()
    _save(page)

    page.get_by_label("Objectives").fill("A clean, lively garden for the neighbourhood.")
    # Save as a draft and leave; come back later from My proposals.
    _save(page, "Save as draft and finish later")
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    page.get_by_role("link", name="Resume Care of Giardino Lame").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Activities")).to_be_visible()
    page.get_by_label("Activities").fill("Weekly clean-up and a summer party.")
    _save(page)

    page.get_by_label("Tools").check()
    page.get_by_label("Details of the support (optional)").fill("Rakes and gloves.")
    _save(page)

    page.get_by_label("Duration in months").fill("24")
    _save(page)

    page.get_by_label("What the file is").select_option("photo")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "lame.png", "mimeType": "image/png", "buffer": png()}
    )
    page.get_by_role("button", name="Attach this file").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Attached: lame.png.")).to_be_visible()
    _save(page)

    # Check your answers, then submit.
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    main = page.locator("main")
    for text in (
        "Care of Giardino Lame",
        "Amici delle Lame",
        "Giardino Lame",
        "A clean, lively garden",
        "Weekly clean-up",
        "Rakes and gloves.",
        "24 months",
        "lame.png",
    ):
        expect(main.get_by_text(text).first, text).to_be_visible()
    page.get_by_role("button", name="Submit the application").click()
    page.wait_for_load_state()
    proposal = _the_proposal(live)
    assert proposal.status == "submitted" and proposal.protocol_number
    expect(page.get_by_role("heading", name="Application submitted")).to_be_visible()
    expect(page.get_by_text(proposal.protocol_number)).to_be_visible()
    receipt = page.get_by_role("link", name="Download the receipt (PDF)")
    answer = page.request.get(live.url + receipt.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF-")
    log_out(page)

    # The office takes it in charge and admits it: the public notice opens.
    log_in(page, live, staff["officer"])
    page.get_by_role("link", name="Work queue").click()
    page.get_by_role("link", name="Care of Giardino Lame").click()
    page.wait_for_load_state()
    act(page, "take_in_charge", "Take in charge")
    expect(page.get_by_text("The proposal is now: Under review.").first).to_be_visible()
    act(page, "admit", "Admit")
    expect(page.get_by_text("The proposal is now: Public notice.").first).to_be_visible()
    # The notice period (15 days) passes; the clock is the only thing set outside the browser.
    with live.data():
        db.session.get(Proposal, proposal.id).notice_ends_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        db.session.remove()
    open_case(page, live, proposal.id)
    act(page, "close_notice", "Close public notice")
    expect(page.get_by_text("The proposal is now: Co-design.").first).to_be_visible()

    # The first draft of the pact, filled in from the application, then agreed.
    page.goto(f"{live.url}/proposals/{proposal.id}/pact/edit")
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_load_state()
    open_case(page, live, proposal.id)
    act(page, "agree_draft", "Agree the draft")
    expect(page.get_by_text("The proposal is now: Legal review.").first).to_be_visible()
    log_out(page)

    log_in(page, live, staff["legal"])
    open_case(page, live, proposal.id)
    today = utcnow().date().isoformat()
    act(page, "approve", "Approve", {"act_number": "DD 321/2026", "act_date": today})
    expect(page.get_by_text("The proposal is now: Awaiting signatures.").first).to_be_visible()
    log_out(page)

    # Both sign, in order: the proponent, then the legal office.
    log_in(page, live, "carla@example.org", NEW_PASSWORD)
    open_case(page, live, proposal.id)
    act(
        page,
        "sign",
        "Sign",
        {"full_name": "Carla Cittadini", "consent": True, "password": NEW_PASSWORD},
    )
    expect(page.get_by_text("The proposal is now: Awaiting signatures.").first).to_be_visible()
    log_out(page)
    log_in(page, live, staff["legal"])
    open_case(page, live, proposal.id)
    act(
        page,
        "sign",
        "Sign",
        {"full_name": "Leo Legal", "consent": True, "password": factories.PASSWORD},
    )
    expect(page.get_by_text("The proposal is now: Active.").first).to_be_visible()
    assert status_of(live, proposal.id) == "active"
    log_out(page)

    # The proponent files the first monitoring report, with a photo.
    log_in(page, live, "carla@example.org", NEW_PASSWORD)
    open_case(page, live, proposal.id)
    page.get_by_role("link", name="Write the report").click()
    page.wait_for_load_state()
    page.get_by_label("What was done in this period").fill("Six clean-ups with 20 neighbours.")
    page.get_by_label("Participants").fill("20")
    page.get_by_label("Photos (optional)").set_input_files(
        {"name": "clean-up.png", "mimeType": "image/png", "buffer": png()}
    )
    page.get_by_role("button", name="File the report").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your monitoring report is filed. Thank you.")).to_be_visible()
    reports = page.locator("section[aria-labelledby=reports-title]")
    expect(reports.get_by_text("Six clean-ups with 20 neighbours.")).to_be_visible()
    expect(reports.get_by_text("Participants: 20")).to_be_visible()
    expect(reports.get_by_role("link", name="clean-up.png")).to_be_visible()
    with live.data():
        report = db.session.scalars(select(MonitoringReport)).one()
        assert report.proposal_id == proposal.id and not report.final
        db.session.remove()
