"""Log in with SPID in a real browser: the app's button, the test provider's form, back in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from commons.auth import oidc
from tests.e2e.conftest import axe_violations


@pytest.fixture
def spid_live(live, oidc_server):
    """The live server with the test provider (tests/oidc_provider.py) as "spid"."""
    oidc_server.redirect_uris.append(f"{live.url}/login/id/spid/callback")
    live.app.config["OIDC_PROVIDERS"] = {"spid": oidc_server.settings()}
    oidc.install(live.app)
    yield live
    live.app.config["OIDC_PROVIDERS"] = {}
    oidc.install(live.app)


def test_log_in_with_spid_through_the_provider(page, spid_live):
    page.goto(f"{spid_live.url}/login")
    expect(page.get_by_role("heading", name="With your digital identity")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Log in with SPID").click()

    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("User name").fill("mario")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_text("Welcome, Mario Rossi.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out", include_hidden=True)).to_have_count(1)
    page.goto(f"{spid_live.url}/account")
    expect(page.get_by_text("was confirmed by SPID")).to_be_visible()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    assert axe_violations(page) == []
