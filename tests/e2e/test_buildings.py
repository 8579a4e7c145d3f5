"""An officer fills in the asset dossier of an empty building on a phone; a visitor finds it
with the register's "Vacant places" filter and map layer; axe finds nothing serious."""

from __future__ import annotations

from playwright.sync_api import expect

from commons.auth.models import Role
from commons.extensions import db
from tests import factories
from tests.e2e.conftest import axe_violations, log_in, log_out


def test_an_officer_fills_a_dossier_and_a_visitor_finds_the_vacant_place(page, live):
    with live.data():
        officer = factories.user(Role.OFFICER)
        commons = factories.commons(name="Ex cinema Nuovo", kind="building")
        factories.commons(name="Parco Nord", kind="park", latitude=44.50, longitude=11.35)
        email, cid = officer.email, commons.id
        db.session.remove()

    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live, email)
    page.goto(f"{live.url}/commons/{cid}")
    page.get_by_role("link", name="Fill in the dossier").click()
    assert axe_violations(page) == []
    page.get_by_label("Floor area (m²)").fill("1200,5")
    page.get_by_label("How it is known (Floor area)").select_option("surveyed")
    page.get_by_label("Condition", exact=True).select_option("unsafe")
    page.get_by_label("Vacant since", exact=True).fill("2019-09-01")
    page.get_by_label("Owner", exact=True).select_option("private")
    page.get_by_label("How to reach the owner (staff only)").fill("051 555 0101")
    page.get_by_role("button", name="Save the dossier").click()
    # A private owner needs a name: refused, with what was typed kept.
    expect(
        page.get_by_text("Give the name of the owner when it is not the city.").first
    ).to_be_visible()
    expect(page.get_by_label("Floor area (m²)")).to_have_value("1200,5")  # as typed
    expect(page.get_by_label("How to reach the owner (staff only)")).to_have_value("051 555 0101")
    assert axe_violations(page) == []
    page.get_by_label("Name of the owner").fill("Cinema Srl")
    page.get_by_role("button", name="Save the dossier").click()
    expect(page.get_by_text("Dossier saved.")).to_be_visible()
    expect(page.get_by_text("051 555 0101")).to_be_visible()
    log_out(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live.url}/commons/{cid}")
    expect(page.get_by_text("A private owner: Cinema Srl")).to_be_visible()
    expect(page.get_by_text("051 555 0101")).to_have_count(0)
    assert axe_violations(page) == []

    page.goto(f"{live.url}/commons/")
    vacant = page.get_by_label("Vacant places", exact=True)
    expect(vacant).to_be_visible()
    vacant.check()
    expect(page.locator(".map-point-vacant")).to_have_count(1)
    expect(page.locator("#layers-status")).to_contain_text("1 vacant places")
    page.get_by_label("Vacant places only").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Ex cinema Nuovo")).to_be_visible()
    expect(page.get_by_role("link", name="Parco Nord")).to_have_count(0)
    assert axe_violations(page) == []


def test_a_citizen_reports_an_empty_place_on_a_phone(page, live):
    with live.data():
        citizen = factories.user()
        factories.commons(name="Parco Nord", kind="park", latitude=44.50, longitude=11.35)
        email = citizen.email
        db.session.remove()

    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, live, email)
    page.goto(f"{live.url}/commons/")
    page.get_by_role("link", name="Report an empty place").click()
    region = page.get_by_role("region", name="Map for placing the empty place")
    expect(region).to_be_visible()
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Address").fill("Via Libia 40")
    # A tap on the map pins the place and fills in its position.
    box = region.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    expect(region.get_by_role("button", name="Pin of the empty place")).to_be_visible()
    latitude = page.get_by_label("Latitude (optional)").input_value()
    assert 44.3 < float(latitude) < 44.7, latitude
    page.get_by_role("button", name="Send the report").click()
    # No description: refused, with the address and the position kept.
    expect(page.get_by_text("Describe the place").first).to_be_visible()
    expect(page.get_by_label("Address")).to_have_value("Via Libia 40")
    expect(page.get_by_label("Latitude (optional)")).to_have_value(latitude)
    assert axe_violations(page) == []
    page.get_by_label("What is the place, and why does it look empty?").fill("A closed bakery.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("your report is sent to the office")).to_be_visible()
    expect(page.get_by_text("Waiting for the office")).to_be_visible()
    assert axe_violations(page) == []
