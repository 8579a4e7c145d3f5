"""The reset, registration and address-change answers are held to one floor of time, so a
known address and an unknown one answer alike (bench/accounts.py measures the two)."""

from __future__ import annotations

import pytest

from commons.auth import timing
from tests.conftest import login, post_form
from tests.factories import PASSWORD

FLOOR = 0.4
NEW = "violet harbour lantern tram 1987"


@pytest.fixture
def waits(app, monkeypatch):
    """What the answers would wait for, with ACCOUNT_ANSWER_SECONDS at FLOOR."""
    app.config["ACCOUNT_ANSWER_SECONDS"] = FLOOR
    waited: list[float] = []
    monkeypatch.setattr(timing, "sleep", waited.append)
    return waited


def _register(client, email):
    data = {"email": email, "full_name": "Ada Rossi", "password": NEW, "confirm": NEW}
    return post_form(
        client, "/register", {**data, "locale": "en", "privacy": "y", "notice_version": "0"}
    )


@pytest.mark.parametrize("email", ["anna@example.org", "nobody@example.org"])
def test_a_reset_answer_waits_out_the_floor_for_any_address(app, make, waits, email):
    make.user(email="anna@example.org")
    assert post_form(app.test_client(), "/account/forgot", {"email": email}).status_code == 200
    assert len(waits) == 1 and 0 < waits[0] < FLOOR


@pytest.mark.parametrize("email", ["anna@example.org", "new@example.org"])
def test_a_registration_waits_out_the_floor_for_any_address(app, make, waits, email):
    make.user(email="anna@example.org")
    response = _register(app.test_client(), email)
    assert "We sent a message" in response.get_data(as_text=True)
    assert len(waits) == 1 and 0 < waits[0] < FLOOR


def test_an_address_change_waits_out_the_floor_whether_the_address_is_taken(app, make, waits):
    make.user(email="anna@example.org")
    make.user(email="bruno@example.org")
    client = app.test_client()
    login(client, "bruno@example.org", PASSWORD)
    for email in ("anna@example.org", "carla@example.org"):
        data = {"email-email": email, "email-password": PASSWORD}
        post_form(client, "/account/email", data, token_from="/account")
    assert len(waits) == 2 and all(0 < w < FLOOR for w in waits)


def test_work_longer_than_the_floor_is_not_held_further(app, make, waits):
    app.config["ACCOUNT_ANSWER_SECONDS"] = 0.0
    post_form(app.test_client(), "/account/forgot", {"email": "nobody@example.org"})
    assert waits == []
