"""Twenty saves of a group's details from the same version at once: one lands, nineteen are
told (409), nobody sees a server error. Real parallel connections: the PostgreSQL pass."""

from __future__ import annotations

from commons.extensions import db
from commons.groups.models import ProponentGroup
from tests import factories
from tests.conftest import csrf_token, hidden_value, login
from tests.races import at_once, one_winner, postgresql_only


def test_simultaneous_edits_of_a_group_give_one_winner(app):
    postgresql_only()
    rep = factories.user(name="Rita Rossi")
    gid = factories.group(rep, name="Amici del parco").id
    browser = app.test_client()
    login(browser, rep.email)
    url = f"/groups/{gid}"
    page = browser.get(url).get_data(as_text=True)
    base, token = hidden_value(page, "details-base_version"), csrf_token(browser, url)

    def save(client, n):
        data = {
            "csrf_token": token,
            "details-base_version": base,
            "details-name": f"Amici {n}",
            "details-kind": "informal_group",
        }
        return client.post(url, data=data)

    answers = at_once(app, 20, save, cookies_from=browser)
    one_winner(answers, 302)
    db.session.expire_all()
    stored = db.session.get(ProponentGroup, gid)
    assert stored.version == int(base) + 1 and stored.name.startswith("Amici ")
