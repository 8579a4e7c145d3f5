"""Journeys of officers, legal officers and proponents in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from commons.documents.models import Signature
from commons.extensions import db
from tests.e2e.conftest import log_in, log_out
from tests.e2e.scenarios import act, make_case, open_case, status_of
from tests.factories import PASSWORD


def test_rejection_with_reasons(page, live):
    case = make_case(live, "under_review")
    log_in(page, live, case.officer)
    page.get_by_role("link", name="Work queue").click()
    page.get_by_role("link", name=case.title).click()
    act(page, "reject", "Reject", {"reasons": "The garden is already under another pact."})
    expect(page.get_by_text("The proposal is now: Rejected.").first).to_be_visible()
    expect(page.get_by_text("The garden is already under another pact.").first).to_be_visible()
    assert status_of(live, case.id) == "rejected"
    log_out(page)
    log_in(page, live, case.representative)
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text("was rejected").first).to_be_visible()
    expect(page.get_by_text("already under another pact").first).to_be_visible()


def test_integration_request_and_answer(page, live):
    case = make_case(live, "under_review")
    log_in(page, live, case.officer)
    open_case(page, live, case.id)
    act(page, "request_integration", "Request integration", {"message": "Send the statute."})
    expect(page.get_by_text("The proposal is now: Awaiting integration.").first).to_be_visible()
    expect(page.get_by_text("paused while awaiting integration").first).to_be_visible()
    log_out(page)

    log_in(page, live, case.representative)
    expect(page.get_by_role("link", name="Notifications").get_by_text("1").first).to_be_visible()
    open_case(page, live, case.id)
    # The answer goes to the application's answer form, which also takes files.
    act(
        page,
        "integrate",
        "Send integration",
        {"answer": "Statute attached to the e-mail."},
        action=f"/apply/{case.id}/answer",
    )
    expect(page.get_by_text("Your answer is sent to the office.").first).to_be_visible()
    # The history tells it in words, with the state reached.
    line = page.locator(".history-line", has_text="sent the information the office asked for")
    expect(line.get_by_text("Statute attached to the e-mail.").first).to_be_visible()
    expect(line.get_by_text("→ Under review").first).to_be_visible()
    assert status_of(live, case.id) == "under_review"
    log_out(page)

    log_in(page, live, case.officer)
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text("The proponents answered").first).to_be_visible()


def test_signing_out_of_order_is_refused(page, live):
    case = make_case(live, "awaiting_signatures")
    log_in(page, live, case.legal)
    open_case(page, live, case.id)
    assert page.locator('form[action$="/actions/sign"]').count() == 0
    expect(page.get_by_text("the proponents' representative signs next").first).to_be_visible()
    # A forged POST, with a valid CSRF token and every field, is refused with a message.
    with page.expect_navigation():
        page.evaluate(
            """([action, password]) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            const token = document.querySelector("input[name=csrf_token]").value;
            const values = {csrf_token: token, full_name: "Leo Legal", consent: "y", password};
            for (const [name, value] of Object.entries(values)) {
                const input = document.createElement("input");
                input.type = "hidden"; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
            [f"/proposals/{case.id}/actions/sign", PASSWORD],
        )
    expect(page.get_by_text("This could not be done: Sign").first).to_be_visible()
    expect(page.get_by_text("It is not your turn to sign").first).to_be_visible()
    with live.data():
        signed = db.session.scalars(select(Signature).where(Signature.proposal_id == case.id))
        assert list(signed) == []
        db.session.remove()
    assert status_of(live, case.id) == "awaiting_signatures"


def test_complex_pact_through_council_deliberation_to_active(page, live):
    case = make_case(live, "co_design", pact_type="complex")
    log_in(page, live, case.officer)
    open_case(page, live, case.id)
    act(page, "agree_draft", "Agree the draft")
    expect(page.get_by_text("The proposal is now: Council deliberation.").first).to_be_visible()
    log_out(page)

    log_in(page, live, case.legal)
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_text("waits for the council deliberation").first).to_be_visible()
    open_case(page, live, case.id)
    act(
        page,
        "record_deliberation",
        "Record council deliberation",
        {"deliberation_number": "DG 45/2026", "deliberation_date": "2026-11-16"},
    )
    expect(page.get_by_text("The proposal is now: Legal review.").first).to_be_visible()
    act(page, "approve", "Approve", {"act_number": "DD 123/2026", "act_date": "2026-11-18"})
    expect(page.get_by_text("The proposal is now: Awaiting signatures.").first).to_be_visible()
    log_out(page)

    log_in(page, live, case.representative)
    open_case(page, live, case.id)
    act(
        page,
        "sign",
        "Sign",
        {"full_name": case.representative_name, "consent": True, "password": PASSWORD},
    )
    expect(page.get_by_text("The proposal is now: Awaiting signatures.").first).to_be_visible()
    log_out(page)

    log_in(page, live, case.legal)
    open_case(page, live, case.id)
    act(page, "sign", "Sign", {"full_name": "Leo Legal", "consent": True, "password": PASSWORD})
    expect(page.get_by_text("The proposal is now: Active.").first).to_be_visible()
    expect(page.get_by_role("link", name="Signed pact")).to_be_visible()
    assert status_of(live, case.id) == "active"
