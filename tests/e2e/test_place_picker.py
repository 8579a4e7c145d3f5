"""The map picker of the application's place step, in a real browser (no tile server)."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from commons.extensions import db
from commons.proposals.models import Proposal
from tests import factories
from tests.e2e.conftest import axe_violations, log_in


def _draft(live) -> tuple[int, str, dict]:
    with live.data():
        garden = factories.commons(name="Giardino Lame", latitude=44.5100, longitude=11.3300)
        square = factories.commons(name="Piazza Verdi", latitude=44.4950, longitude=11.3500)
        proposal = factories.proposal(commons=[])
        found = (proposal.id, proposal.representative.email, {"garden": garden.id, "sq": square.id})
        db.session.remove()
    return found


def _coordinates(page) -> tuple[float, float]:
    lat = page.get_by_label("Latitude (optional)").input_value()
    lng = page.get_by_label("Longitude (optional)").input_value()
    return float(lat), float(lng)


def test_markers_tick_the_list_and_a_click_pins_a_new_place(page, live):
    draft, email, ids = _draft(live)
    log_in(page, live, email)
    page.goto(f"{live.url}/apply/{draft}/places")
    region = page.get_by_role("region", name="Map for choosing the commons or placing a new place")
    expect(region).to_be_visible()
    assert "commons-map-plain" in region.get_attribute("class")  # no tile server: markers only

    # A commons' marker ticks its checkbox in the list, and unticks it.
    garden_box = page.locator(f"#commons-{ids['garden']}")
    garden_marker = region.get_by_role("button", name="Giardino Lame")
    assert not garden_box.is_checked()
    garden_marker.click()
    assert garden_box.is_checked()
    assert garden_marker.get_attribute("aria-pressed") == "true"
    expect(page.get_by_role("status").filter(has_text="Giardino Lame is ticked")).to_be_visible()
    garden_marker.click()
    assert not garden_box.is_checked()
    # The keyboard works too: Enter on the focused marker.
    garden_marker.focus()
    page.keyboard.press("Enter")
    assert garden_box.is_checked()
    # Ticking in the list shows on the map.
    page.locator(f"#commons-{ids['sq']}").check()
    assert region.get_by_role("button", name="Piazza Verdi").get_attribute("aria-pressed") == "true"

    # A click on an empty part of the map pins a new place and fills its coordinates.
    assert page.get_by_label("Latitude (optional)").input_value() == ""
    box = region.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
    pin = region.get_by_role("button", name="Pin of the new place")
    expect(pin).to_be_visible()
    lat, lng = _coordinates(page)
    # South-west of the middle of the two commons the map is fitted to.
    assert 44.3 < lat < 44.5025 and 11.2 < lng < 11.34, (lat, lng)
    expect(
        page.get_by_role("status").filter(has_text="New place pinned at latitude")
    ).to_be_visible()

    # Dragging the pin to the east moves the longitude, not (much) the latitude.
    pinned = pin.bounding_box()
    x, y = pinned["x"] + pinned["width"] / 2, pinned["y"] + pinned["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y, steps=6)
    page.mouse.up()
    page.wait_for_function(
        "lng => parseFloat(document.getElementById('new_place_longitude').value) > lng", arg=lng
    )
    dragged_lat, dragged_lng = _coordinates(page)
    assert dragged_lng > lng and abs(dragged_lat - lat) < 0.001

    # Typed coordinates move the pin back; what is sent is what the fields say.
    page.get_by_label("Address of a new place (optional)").fill("Via Nuova 3")
    page.get_by_label("Latitude (optional)").fill("44.5")
    page.get_by_label("Longitude (optional)").fill("11.34")
    page.get_by_label("Longitude (optional)").dispatch_event("change")
    moved = pin.bounding_box()
    assert (moved["x"], moved["y"]) != (pinned["x"], pinned["y"])

    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Objectives")).to_be_visible()
    with live.data():
        proposal = db.session.get(Proposal, draft)
        assert sorted(c.name for c in proposal.commons) == ["Giardino Lame", "Piazza Verdi"]
        assert proposal.new_place_address == "Via Nuova 3"
        assert proposal.new_place_latitude == Decimal("44.5")
        assert proposal.new_place_longitude == Decimal("11.34")
        db.session.remove()

    # Coming back, the saved place shows as the pin again, and the ticks as chosen markers.
    page.goto(f"{live.url}/apply/{draft}/places")
    expect(region.get_by_role("button", name="Pin of the new place")).to_be_visible()
    garden_marker = region.get_by_role("button", name="Giardino Lame")
    assert garden_marker.get_attribute("aria-pressed") == "true"
