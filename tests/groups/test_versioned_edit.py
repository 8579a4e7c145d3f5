"""The group's details edited in two tabs: the save made from the older page is refused (409),
keeps what was typed and shows what the other tab saved; saving again from there succeeds.

Before: the second save overwrote the first without a word (last write won).
"""

from __future__ import annotations

import re

from commons.extensions import db
from commons.groups.models import ProponentGroup
from tests.conftest import csrf_token, hidden_value, login


def _tab(app, email):
    client = app.test_client()
    login(client, email)
    return client


def test_a_stale_tab_is_refused_with_the_input_kept_and_the_stored_values_shown(app, make):
    rita = make.user(name="Rita Rossi")
    group = make.group(rita, name="Amici del parco", phone="051 111")
    url = f"/groups/{group.id}"
    first, second = _tab(app, rita.email), _tab(app, rita.email)

    opened = first.get(url).get_data(as_text=True)  # left open
    base, token = hidden_value(opened, "details-base_version"), csrf_token(first, url)
    other = second.get(url).get_data(as_text=True)
    saved = second.post(
        url,
        data={
            "csrf_token": csrf_token(second, url),
            "details-base_version": hidden_value(other, "details-base_version"),
            "details-name": "Amici del Parco Nord",
            "details-kind": "informal_group",
            "details-phone": "051 111",
        },
    )
    assert saved.status_code == 302

    mine = {
        "csrf_token": token,
        "details-name": "Amici del parco",
        "details-kind": "informal_group",
        "details-phone": "051 999",
    }
    refused = first.post(url, data={**mine, "details-base_version": base})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else saved a change to this after you opened it" in page
    assert 'value="051 999"' in page  # input kept
    assert re.findall(r"<dt>([^<]*)</dt>", page) == ["Name of the group", "Phone (optional)"]
    assert "Amici del Parco Nord</dd>" in page and "051 111</dd>" in page
    db.session.expire_all()
    stored = db.session.get(ProponentGroup, group.id)
    assert (stored.name, stored.phone) == ("Amici del Parco Nord", "051 111")

    again = first.post(
        url, data={**mine, "details-base_version": hidden_value(page, "details-base_version")}
    )
    assert again.status_code == 302
    db.session.expire_all()
    stored = db.session.get(ProponentGroup, group.id)
    assert (stored.name, stored.phone, stored.version) == ("Amici del parco", "051 999", 3)
