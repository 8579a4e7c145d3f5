"""The public "How it works" page: the lifecycle drawn, listed and its clocks told in words."""

from __future__ import annotations

import html
import re

from commons.proposals.labels import STATE_LABELS


def _page(client, url: str = "/how-it-works", **kwargs) -> tuple[int, str]:
    response = client.get(url, **kwargs)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def test_page_draws_the_lifecycle_and_lists_every_stage(client):
    status, text = _page(client, headers={"Accept-Language": "en"})
    assert status == 200
    assert '<html lang="en">' in text
    assert "<h1>How it works</h1>" in text
    assert "collaboration pact" in text
    svg = re.search(r"<svg .*?</svg>", text, re.S).group(0)
    assert 'role="img"' in svg
    assert "<script" not in svg and "style=" not in svg
    for state in (
        "draft",
        "under_review",
        "awaiting_integration",
        "political_approval",
        "active",
        "renewed",
    ):
        label = str(STATE_LABELS[state])
        assert label in svg, label
        assert f"<strong>{label}</strong>" in text, label  # the text alternative
    assert "Council deliberation" in svg and "political approval" not in svg


def test_page_tells_the_clocks_in_words(client):
    _, text = _page(client, headers={"Accept-Language": "en"})
    for sentence in (
        "The office has 30 days to review a proposal; the clock stops while it waits for an "
        "answer to an integration request.",
        "If you do not answer an integration request within 30 days, the proposal is archived.",
        "Public notice lasts 15 days for ordinary pacts and 30 days for complex ones.",
        "The council deliberates within 30 days (complex pacts).",
        "A monitoring report is due every 6 months.",
        "Renewal can start 60 days before the end.",
        "A pact lasts at most 48 months",
        "A representative may withdraw from an active pact with 30 days' notice.",
        "Suspension for public interest needs at least 48 hours' notice.",
    ):
        assert sentence in text, sentence


def test_page_offers_the_mermaid_source(client):
    _, text = _page(client)
    details = re.search(r"<details.*?</details>", text, re.S).group(0)
    assert "Mermaid" in details
    assert "stateDiagram-v2" in details
    assert "[*] --> draft" in details


def test_page_is_allowed_by_the_content_security_policy(client):
    response = client.get("/how-it-works")
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    text = response.get_data(as_text=True)
    assert "<style" not in text
    assert "/static/css/diagram.css" in text
    assert client.get("/static/css/diagram.css").status_code == 200


def test_another_profile_is_drawn_from_its_own_data(client):
    status, text = _page(client, "/how-it-works?profile=simplified")
    assert status == 200
    assert "Simplified regulation" in text
    assert "There is no public notice" in text
    assert "Council deliberation" not in text
    assert "The office has 60 days to review a proposal" in text


def test_default_is_the_configured_profile(app, client):
    app.config["PROFILE"] = "simplified"
    _, text = _page(client)
    assert "Simplified regulation" in text


def test_unknown_profile_is_not_found(client):
    status, text = _page(client, "/how-it-works?profile=nope")
    assert status == 404
    assert "There is no regulation called “nope”" in text
    assert "labsus" in text


def test_page_follows_the_browser_language(client):
    # The Italian words come with the catalogue; the page must at least speak as Italian.
    status, text = _page(client, headers={"Accept-Language": "it-IT,it;q=0.9"})
    assert status == 200
    assert '<html lang="it">' in text
    assert "<svg " in text
