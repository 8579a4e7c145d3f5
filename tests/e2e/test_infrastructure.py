"""The browser tests' own set-up: a missing browser fails loudly; screenshots on failure."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import require_chromium


def test_missing_chromium_fails_with_a_clear_message():
    with pytest.raises(pytest.fail.Exception) as failure:
        require_chromium("/nonexistent/chromium")
    assert "apt-get install chromium" in str(failure.value)
    assert "must not download a browser" in str(failure.value)


def test_the_live_server_serves_the_app(page, live):
    response = page.goto(live.url + "/")
    assert response.status == 200
    assert page.title().endswith("Testville")
    assert "127.0.0.1" in live.url
