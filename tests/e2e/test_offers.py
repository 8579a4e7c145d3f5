"""A visitor adds the map layers of results and of offers and needs to the register's map,
opens a pact's results from its marker and an offer from its own; axe finds nothing serious."""

from __future__ import annotations

from playwright.sync_api import expect

from commons.extensions import db
from commons.offers import operations
from tests.e2e.conftest import axe_violations
from tests.offers.conftest import NEED
from tests.workflows.scenario import Cast, proposal_in
from workflows import fire


def _pact_with_results(live) -> tuple[str, str]:
    with live.data():
        cast = Cast()
        pact = proposal_in("active", cast)
        pact.commons[0].latitude, pact.commons[0].longitude = 44.5100, 11.3300
        fire(
            pact,
            "file_report",
            cast.representative,
            report_text="Four clean-up mornings.",
            events_held=4,
            volunteer_hours=60,
            participants=14,
        )
        other = proposal_in("active", cast)
        other.commons[0].latitude, other.commons[0].longitude = 44.4950, 11.3500
        post = operations.post(author=cast.officer, commons=other.commons[0], pact=other, **NEED)
        operations.publish(post, actor=cast.officer)
        db.session.commit()
        found = pact.title, post.title
        db.session.remove()
    return found


def test_the_map_layers_lead_to_a_pacts_results_and_to_an_offer(page, live):
    pact_title, post_title = _pact_with_results(live)
    page.goto(f"{live.url}/commons/")
    results = page.get_by_label("Results of pacts in force")
    expect(results).to_be_visible()  # the layers' checkboxes show once the script runs
    expect(page.locator(".map-point")).to_have_count(0)
    results.check()
    expect(page.locator(".map-point-results")).to_have_count(2)
    expect(page.locator("#layers-status")).to_contain_text("2 pacts in force with their results")
    assert axe_violations(page) == []

    page.get_by_label("Offers and needs", exact=True).check()
    expect(page.locator(".map-point-offers")).to_have_count(1)
    results.uncheck()
    expect(page.locator(".map-point-results")).to_have_count(0)
    results.check()
    expect(page.locator(".map-point-results")).to_have_count(2)

    page.locator(f'.map-point-results[title="{pact_title}"]').click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Events held: 4 · volunteer hours: 60 · participants: 14")
    popup.get_by_role("link", name=pact_title).click()
    expect(page.get_by_role("heading", name=f"Results: {pact_title}")).to_be_visible()
    expect(page.locator("#figures-events")).to_have_text("4")
    assert axe_violations(page) == []

    page.go_back()
    page.get_by_label("Offers and needs", exact=True).check()
    page.locator(".map-point-offers").first.click()
    page.locator(".leaflet-popup-content").get_by_role("link").click()
    expect(page.get_by_role("heading", name=post_title)).to_be_visible()
    assert axe_violations(page) == []
