"""Officers saving one dossier at the same moment: one save lands, the others are told (409)
and keep what they typed; nobody sees a server error. Real parallel connections: the
PostgreSQL pass."""

from __future__ import annotations

from sqlalchemy import func, select

from commons.audit.models import AuditEvent
from commons.auth.models import Role
from commons.extensions import db
from commons.registry.models import AssetDossier
from tests import factories
from tests.buildings.test_dossier import DOSSIER
from tests.conftest import csrf_token, hidden_value, login, post_form
from tests.races import at_once, one_winner, postgresql_only

SAVES = 10


def _officer(app):
    officer = factories.user(Role.OFFICER)
    browser = app.test_client()
    login(browser, officer.email)
    return browser


def test_simultaneous_first_saves_of_a_dossier_give_one_winner(app):
    postgresql_only()
    cid = factories.commons(kind="building").id
    browser = _officer(app)
    url = f"/commons/{cid}/dossier"
    token = csrf_token(browser, url)

    def save(client, n):
        return client.post(url, data={**DOSSIER, "year_built": str(1950 + n), "csrf_token": token})

    answers = at_once(app, SAVES, save, cookies_from=browser)
    one_winner(answers, 302)
    db.session.expire_all()
    assert db.session.get(AssetDossier, cid).version == 1
    events = select(func.count()).where(AuditEvent.trigger == "dossier_updated")
    assert db.session.scalar(events) == 1


def test_simultaneous_edits_of_a_dossier_give_one_winner(app):
    postgresql_only()
    cid = factories.commons(kind="building").id
    browser = _officer(app)
    url = f"/commons/{cid}/dossier"
    assert post_form(browser, url, DOSSIER).status_code == 302
    page = browser.get(url).get_data(as_text=True)
    base, token = hidden_value(page, "base_version"), csrf_token(browser, url)

    def save(client, n):
        data = {**DOSSIER, "max_occupancy": str(n), "csrf_token": token, "base_version": base}
        return client.post(url, data=data)

    answers = at_once(app, SAVES, save, cookies_from=browser)
    one_winner(answers, 302)
    assert all("Someone else saved a change" in body for status, body in answers if status == 409)
    db.session.expire_all()
    assert db.session.get(AssetDossier, cid).version == int(base) + 1
