"""At 360 px wide (a small phone) the main pages of each role fit: no sideways scrolling."""

from __future__ import annotations

from playwright.sync_api import expect

from commons.extensions import db
from tests import factories
from tests.e2e.conftest import log_in, log_out
from tests.e2e.scenarios import make_case

WIDTH = 360


def _overflow(page, url: str, found: dict) -> None:
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"
    page.wait_for_load_state()
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > WIDTH:
        # Name the widest elements that stick out, to say what to fix.
        culprits = page.evaluate(
            """limit => {
                const out = e => e.getBoundingClientRect().right > limit + 1;
                return [...document.body.querySelectorAll("*")]
                    .filter(e => out(e) && ![...e.children].some(out))
                    .slice(0, 4)
                    .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "."
                        + String(e.className).trim().split(/\\s+/).join(".") + " "
                        + JSON.stringify((e.textContent || "").trim().slice(0, 40)));
            }""",
            WIDTH,
        )
        found[url] = f"{width} px wide: {', '.join(culprits)}"


def test_main_pages_of_each_role_fit_360_px(page, live):
    page.set_viewport_size({"width": WIDTH, "height": 780})
    active = make_case(live, "active")
    co_design = make_case(live, "co_design")
    with live.data():
        draft = factories.proposal(title="A draft with a rather long title to wrap on a phone")
        draft_id, drafter = draft.id, draft.representative.email
        commons_id = draft.commons[0].id
        db.session.remove()
    base, found = live.url, {}

    for path in (
        "/",
        "/commons/",
        f"/commons/{commons_id}",
        "/consultation",
        "/how-it-works",
        "/statistics",
        "/open-data/",
        "/verify",
        f"/pacts/{active.id}",
        f"/pacts/{active.id}/verify",
        "/register",
        "/login",
    ):
        _overflow(page, base + path, found)

    log_in(page, live, drafter)
    for path in (
        "/proposals/mine",
        "/apply/",
        f"/apply/{draft_id}/places",
        f"/apply/{draft_id}/duration",
        f"/apply/{draft_id}/attachments",
        f"/apply/{draft_id}/check",
        "/groups/",
        "/account",
    ):
        _overflow(page, base + path, found)
    log_out(page)

    log_in(page, live, active.representative)
    for path in (
        f"/proposals/{active.id}",
        f"/proposals/{active.id}/report",
        f"/proposals/{active.id}/pact",
        "/notifications/",
    ):
        _overflow(page, base + path, found)
    log_out(page)

    log_in(page, live, co_design.officer)
    for path in (
        "/office/",
        f"/proposals/{co_design.id}",
        f"/proposals/{co_design.id}/pact/edit",
        "/commons/new",
    ):
        _overflow(page, base + path, found)
    log_out(page)

    log_in(page, live, active.legal)
    for path in ("/office/", f"/proposals/{active.id}"):
        _overflow(page, base + path, found)
    log_out(page)

    log_in(page, live, active.auditor)
    for path in ("/audit/", f"/audit/pacts/{active.id}", "/audit/exports"):
        _overflow(page, base + path, found)
    log_out(page)

    log_in(page, live, active.admin)
    for path in ("/admin/users", "/admin/users/new"):
        _overflow(page, base + path, found)

    assert not found, "\n".join(f"{url}: {what}" for url, what in found.items())


def test_without_javascript_the_phone_menu_is_open(page, browser, live):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": WIDTH, "height": 780}
    )
    try:
        no_js = context.new_page()
        no_js.goto(live.url + "/")
        menu = no_js.get_by_role("navigation", name="Main navigation")
        expect(menu.get_by_role("link", name="Log in")).to_be_visible()
        expect(menu.get_by_role("link", name="Register", exact=True)).to_be_visible()
        expect(menu.get_by_role("button", name="Show or hide the menu")).not_to_be_visible()
        assert no_js.evaluate("document.scrollingElement.scrollWidth") <= WIDTH
    finally:
        context.close()

    # With JavaScript the menu stays collapsed behind its button (Bootstrap opens it).
    page.set_viewport_size({"width": WIDTH, "height": 780})
    page.goto(live.url + "/")
    menu = page.get_by_role("navigation", name="Main navigation")
    expect(menu.get_by_role("link", name="Log in")).not_to_be_visible()
    menu.get_by_role("button", name="Show or hide the menu").click()
    menu.get_by_role("link", name="Log in").wait_for()
