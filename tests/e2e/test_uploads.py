"""Files refused in a real browser: the page says why and keeps everything that was typed."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from commons.extensions import db
from commons.monitoring.models import MonitoringReport
from commons.uploads.models import Attachment
from tests import factories
from tests.e2e.conftest import UPLOAD_MB, log_in
from tests.e2e.scenarios import make_case, open_case, png

TOO_LARGE = UPLOAD_MB * 1024 * 1024 + 1
TYPE_REFUSED = "The file is not a PDF, JPEG or PNG: choose a file of one of those kinds."
SIZE_REFUSED = f"The file is too large: it may be at most {UPLOAD_MB} MB."


def _attachments(live) -> list[str]:
    with live.data():
        names = list(db.session.scalars(select(Attachment.original_name)))
        db.session.remove()
    return names


def test_application_attachment_fake_type_and_oversized_refused_keeping_the_choice(page, live):
    with live.data():
        proposal = factories.proposal()
        draft, email = proposal.id, proposal.representative.email
        db.session.remove()
    log_in(page, live, email)
    page.goto(f"{live.url}/apply/{draft}/attachments")
    purpose, file = page.get_by_label("What the file is"), page.get_by_label("File", exact=True)

    purpose.select_option("identity")
    file.set_input_files(
        {"name": "identity.pdf", "mimeType": "application/pdf", "buffer": b"only text, no PDF"}
    )
    page.get_by_role("button", name="Attach this file").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.locator("#file-error").inner_text() == TYPE_REFUSED
    assert purpose.input_value() == "identity"  # not the first choice: kept

    purpose.select_option("plan")
    file.set_input_files(
        {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-" + b"0" * TOO_LARGE}
    )
    page.get_by_role("button", name="Attach this file").click()
    page.wait_for_load_state()
    assert page.locator("#file-error").inner_text() == SIZE_REFUSED
    assert purpose.input_value() == "plan"
    expect(page.get_by_text("No file attached yet.")).to_be_visible()
    assert _attachments(live) == []


def test_report_photos_oversized_and_fake_refused_keeping_text_figures_and_good_photo(page, live):
    case = make_case(live, "active")
    log_in(page, live, case.representative)
    page.goto(f"{live.url}/proposals/{case.id}/report")
    text = "Eight clean-ups; the benches are painted."
    page.get_by_label("What was done in this period").fill(text)
    page.get_by_label("Participants").fill("35")
    page.get_by_label("Volunteer hours").fill("120")
    page.get_by_label("This is the final report").check()
    photos = page.get_by_label("Photos (optional)")
    photos.set_input_files(
        [
            {"name": "benches.png", "mimeType": "image/png", "buffer": png()},
            {"name": "huge.png", "mimeType": "image/png", "buffer": png(TOO_LARGE)},
        ]
    )
    page.get_by_role("button", name="File the report").click()
    page.wait_for_load_state()

    def still_filled_in():
        assert page.get_by_label("What was done in this period").input_value() == text
        assert page.get_by_label("Participants").input_value() == "35"
        assert page.get_by_label("Volunteer hours").input_value() == "120"
        assert page.get_by_label("This is the final report").is_checked()
        # The photo that was accepted is kept: nobody has to choose it again.
        kept = page.get_by_text("Photos already uploaded with this report:")
        expect(kept).to_be_visible()
        expect(page.get_by_role("link", name="benches.png")).to_be_visible()

    errors = page.locator("#photos-error")
    assert "huge.png" in errors.inner_text() and SIZE_REFUSED in errors.inner_text()
    still_filled_in()

    photos.set_input_files(
        {"name": "party.jpg", "mimeType": "image/jpeg", "buffer": b"<html>not a photo</html>"}
    )
    page.get_by_role("button", name="File the report").click()
    page.wait_for_load_state()
    assert "party.jpg" in errors.inner_text() and TYPE_REFUSED in errors.inner_text()
    still_filled_in()
    assert _attachments(live) == ["benches.png"]

    page.get_by_role("button", name="File the report").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your monitoring report is filed. Thank you.")).to_be_visible()
    open_case(page, live, case.id)
    reports = page.locator("section[aria-labelledby=reports-title]")
    expect(reports.get_by_text(text)).to_be_visible()
    expect(reports.get_by_role("link", name="benches.png")).to_be_visible()
    with live.data():
        report = db.session.scalars(select(MonitoringReport)).one()
        assert report.final and report.indicators["participants"] == 35
        db.session.remove()
