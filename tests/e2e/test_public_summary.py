"""The public summary in a real browser: the office reviews it, admission publishes it, and a
visitor reads it during the notice and comments (issue 13, "Done when")."""

from __future__ import annotations

from playwright.sync_api import expect

from commons.auth.models import Role
from commons.extensions import db
from tests import factories
from tests.e2e.conftest import axe_violations, log_in, log_out
from tests.e2e.scenarios import act, make_case, open_case, status_of

TIMES = "Every Saturday morning, March to October."
PLACES = "The rose beds along the north wall."


def test_a_visitor_reads_the_public_summary_during_the_notice_and_comments(page, live):
    case = make_case(live, "under_review")
    with live.data():
        visitor = factories.user(Role.CITIZEN, name="Vera Visitor").email
        db.session.remove()

    log_in(page, live, case.officer)
    open_case(page, live, case.id)
    form = page.locator("form#summary-original")
    assert form.get_by_label("Objectives").input_value() == "Keep it clean."  # from the application
    form.get_by_label("Places").fill(PLACES)
    form.get_by_label("Times").fill(TIMES)
    assert axe_violations(page) == []
    form.get_by_role("button", name="Save the public summary").click()
    page.wait_for_load_state()
    expect(page.get_by_text("The public summary is saved.").first).to_be_visible()
    act(page, "admit", "Admit")
    expect(page.get_by_text("The proposal is now: Public notice.").first).to_be_visible()
    assert status_of(live, case.id) == "public_notice"
    log_out(page)

    log_in(page, live, visitor)
    page.get_by_role("link", name="Public consultation").first.click()
    page.get_by_role("link", name=case.title).click()
    page.wait_for_load_state()
    summary = page.locator("section#summary")
    expect(summary.get_by_role("heading", name="What is proposed")).to_be_visible()
    for text in ("Keep it clean.", "Weekly clean-up.", PLACES, TIMES):
        expect(summary.get_by_text(text)).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Your comment").fill("Lovely idea: count me in for the Saturdays.")
    page.get_by_role("button", name="Publish my comment").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your comment is published.").first).to_be_visible()
    expect(page.get_by_text("Lovely idea: count me in for the Saturdays.")).to_be_visible()
    expect(page.locator("section#summary").get_by_text(TIMES)).to_be_visible()
