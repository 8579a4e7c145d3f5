"""Twenty saves of one commons from the same version at once: one lands, nineteen are told
(409), nobody sees a server error. Real parallel connections: the PostgreSQL pass."""

from __future__ import annotations

from commons.auth.models import Role
from commons.extensions import db
from commons.registry.models import Commons
from tests import factories
from tests.api.helpers import auth, token_for
from tests.conftest import csrf_token, hidden_value, login
from tests.races import at_once, one_winner, postgresql_only
from tests.registry.test_register import FORM

SAVES = 20


def test_simultaneous_edits_of_a_commons_give_one_winner(app):
    postgresql_only()
    commons = factories.commons(name="Giardino delle Rose")
    officer = factories.user(Role.OFFICER)
    cid = commons.id
    browser = app.test_client()
    login(browser, officer.email)
    url = f"/commons/{cid}/edit"
    page = browser.get(url).get_data(as_text=True)
    base, token = hidden_value(page, "base_version"), csrf_token(browser, url)

    def save(client, n):
        data = {**FORM, "name": f"Name {n}", "csrf_token": token, "base_version": base}
        return client.post(url, data=data)

    answers = at_once(app, SAVES, save, cookies_from=browser)
    one_winner(answers, 302)
    assert all("Someone else saved a change" in body for status, body in answers if status == 409)
    db.session.expire_all()
    stored = db.session.get(Commons, cid)
    assert stored.version == int(base) + 1 and stored.name.startswith("Name ")


def test_simultaneous_api_changes_of_a_commons_give_one_winner(app):
    postgresql_only()
    commons = factories.commons(name="Giardino delle Rose")
    headers = auth(token_for(factories.user(Role.OFFICER)))
    cid, base = commons.id, commons.version

    def change(client, n):
        body = {"description": f"Text {n}", "expected_version": base}
        return client.patch(f"/api/v1/commons/{cid}", json=body, headers=headers)

    one_winner(at_once(app, SAVES, change), 200)
    db.session.expire_all()
    assert db.session.get(Commons, cid).version == base + 1
