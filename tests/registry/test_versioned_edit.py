"""Two officers edit one commons: the save made from an older version is refused (409), keeps
what was typed and shows what the other officer saved; saving again from there succeeds.

Before: the second save overwrote the first without a word (last write won).
"""

from __future__ import annotations

import re

from commons.auth.models import Role
from commons.extensions import db
from commons.registry.models import Commons
from tests.conftest import csrf_token, hidden_value, login
from tests.registry.test_register import FORM


def _officer(app, make, email):
    make.user(Role.OFFICER, email=email, name=email.split("@")[0].title())
    client = app.test_client()
    login(client, email)
    return client


def _as_stored(make):
    values = {**FORM, "latitude": 44.5123, "longitude": 11.3487, "geometry": None}
    return make.commons(**values)


def test_a_stale_tab_is_refused_with_the_input_kept_and_the_stored_values_shown(app, make):
    commons = _as_stored(make)
    url = f"/commons/{commons.id}/edit"
    anna, bruno = _officer(app, make, "anna@example.org"), _officer(app, make, "bruno@example.org")

    opened = anna.get(url).get_data(as_text=True)  # Anna's tab, left open
    base = hidden_value(opened, "base_version")
    token = csrf_token(anna, url)
    bruno_page = bruno.get(url).get_data(as_text=True)
    saved = bruno.post(
        url,
        data={
            **FORM,
            "name": "Giardino Bruno",
            "csrf_token": csrf_token(bruno, url),
            "base_version": hidden_value(bruno_page, "base_version"),
        },
    )
    assert saved.status_code == 302

    mine = {**FORM, "name": "Giardino Anna", "description": "Anna's words", "csrf_token": token}
    refused = anna.post(url, data={**mine, "base_version": base})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved a change to this after you opened it" in page
    assert 'value="Giardino Anna"' in page and "Anna&#39;s words" in page  # input kept
    assert "Stored now, where it differs from what you typed:" in page
    # Field by field, what differs from what Anna typed: Bruno's name, the old description.
    assert re.findall(r"<dt>([^<]*)</dt>", page) == ["Name", "Description"]
    assert "Giardino Bruno</dd>" in page and "Rose garden.</dd>" in page
    db.session.expire_all()
    assert db.session.get(Commons, commons.id).name == "Giardino Bruno"

    # The page now carries the version stored: saving from it is made knowingly.
    again = anna.post(url, data={**mine, "base_version": hidden_value(page, "base_version")})
    assert again.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Commons, commons.id)
    assert (stored.name, stored.description, stored.version) == ("Giardino Anna", "Anna's words", 3)


def test_a_tampered_version_is_refused(app, make):
    commons = make.commons(name="Giardino delle Rose")
    url = f"/commons/{commons.id}/edit"
    anna = _officer(app, make, "anna@example.org")
    data = {**FORM, "name": "Changed", "csrf_token": csrf_token(anna, url)}
    assert anna.post(url, data={**data, "base_version": "one"}).status_code == 409
    db.session.expire_all()
    assert db.session.get(Commons, commons.id).name == "Giardino delle Rose"


def test_a_double_clicked_save_answers_as_the_first_click_did(app, make):
    """The second click sends the same values from the same version: nothing to refuse."""
    commons = _as_stored(make)
    url = f"/commons/{commons.id}/edit"
    anna = _officer(app, make, "anna@example.org")
    base = hidden_value(anna.get(url).get_data(as_text=True), "base_version")
    data = {**FORM, "name": "Giardino Anna", "csrf_token": csrf_token(anna, url)}
    first = anna.post(url, data={**data, "base_version": base})
    second = anna.post(url, data={**data, "base_version": base})
    assert (first.status_code, second.status_code) == (302, 302)
    db.session.expire_all()
    stored = db.session.get(Commons, commons.id)
    assert (stored.name, stored.version) == ("Giardino Anna", 2)
